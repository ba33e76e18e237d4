#pragma once
// The SQLite study store's tables and their version. A store written by another schema version is
// refused, never migrated behind the user's back.
#include "greentune/store/sqlite_db.hpp"

namespace greentune::store::sqlite {

inline constexpr int kSchemaVersion = 1;

// Checks that the open database is a greentune store of kSchemaVersion, or creates the tables
// when it has none. Throws InputError naming the file (and both versions on a mismatch) without
// writing anything when it is not.
void check_or_create_schema(Db& db);

}  // namespace greentune::store::sqlite
