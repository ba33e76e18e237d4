#pragma once
// The SQLite study store's tables and their version. A store of an older version is upgraded in
// place, in one transaction (version 1 -> 2: the typed trial record); one of a newer version is
// refused unchanged.
#include <memory>

#include "greentune/store/sqlite_db.hpp"

namespace greentune::store::sqlite {

// 1: columns per trial field plus an attrs_json blob; 2: the typed record in record_json.
inline constexpr int kSchemaVersion = 2;

// Checks that the open database is a greentune store of kSchemaVersion, upgrades an older one, or
// creates the tables when it has none. Throws InputError naming the file (and both versions when
// it is newer) without writing anything when it is not a store this greentune can use.
void check_or_create_schema(Db& db);

// For commands that only read (studies, trials, report): the same checks, and nothing is ever
// written. A database without tables (an empty file) is refused as not a store; one of an older
// version is upgraded in a private in-memory copy, which is returned for reading (nullptr: read
// `db` itself).
std::unique_ptr<Db> check_schema_for_reading(Db& db);

}  // namespace greentune::store::sqlite
