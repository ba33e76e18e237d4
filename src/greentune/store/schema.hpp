#pragma once
// The SQLite study store's tables and their version. A store of an older version is upgraded in
// place, in one transaction per step (version 1 -> 2: the typed trial record; 2 -> 3: a study's
// directions and metrics, study_row.hpp); one of a newer version is refused unchanged.
#include <memory>

#include "greentune/store/sqlite_db.hpp"

namespace greentune::store::sqlite {

// 1: columns per trial field plus an attrs_json blob; 2: the typed record in record_json;
// 3: studies.directions_json and studies.metrics_json (several objectives).
inline constexpr int kSchemaVersion = 3;

// Version 2 -> 3 in SQL both engines run as it is: the two columns, every existing study's one
// direction as its list, no metric list (the objective's default).
inline constexpr const char* kUpgrade2To3[] = {
    "ALTER TABLE studies ADD COLUMN directions_json TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE studies ADD COLUMN metrics_json TEXT NOT NULL DEFAULT '[]'",
    "UPDATE studies SET directions_json = '[\"' || direction || '\"]'",
    "UPDATE schema_version SET version = 3"};

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
