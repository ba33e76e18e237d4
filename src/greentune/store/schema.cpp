#include "greentune/store/schema.hpp"

#include <fmt/format.h>

#include "greentune/common/error.hpp"

namespace greentune::store::sqlite {
namespace {

// "group" is an SQL keyword, hence group_name.
constexpr const char* kCreateTables = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS studies (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  direction   TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
  strategy    TEXT NOT NULL,
  objective   TEXT NOT NULL,
  space_json  TEXT NOT NULL,
  config_json TEXT NOT NULL DEFAULT '{}',
  group_name  TEXT NOT NULL DEFAULT '',
  created_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
  id           INTEGER PRIMARY KEY,
  study_id     INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  state        TEXT NOT NULL
               CHECK (state IN ('running', 'complete', 'failed', 'diverged', 'pruned')),
  value        REAL,
  values_json  TEXT NOT NULL DEFAULT '[]',
  params_json  TEXT NOT NULL,
  seconds      REAL NOT NULL DEFAULT 0,
  joules       REAL NOT NULL DEFAULT 0,
  host         TEXT NOT NULL DEFAULT '',
  attrs_json   TEXT NOT NULL DEFAULT '{}',
  started_at   REAL NOT NULL,
  finished_at  REAL NOT NULL DEFAULT 0,
  heartbeat_at REAL NOT NULL,
  UNIQUE (study_id, number)
);
CREATE TABLE IF NOT EXISTS trial_energy (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  domain   TEXT NOT NULL,
  source   TEXT NOT NULL,
  kind     TEXT NOT NULL,
  joules   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS trial_energy_by_trial ON trial_energy (trial_id);
CREATE TABLE IF NOT EXISTS trial_intermediate (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  step     INTEGER NOT NULL,
  value    REAL,
  PRIMARY KEY (trial_id, step)
);
)sql";

bool has_table(Db& db, const char* name) {
  Statement query(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  query.bind(1, std::string(name));
  return query.step();
}

int table_count(Db& db) {
  Statement query(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  query.step();
  return static_cast<int>(query.int64(0));
}

// quick_check reads every page, so a damaged file is refused before anything is written to it.
void check_integrity(Db& db) {
  Statement check(db, "PRAGMA quick_check(1)");
  if (check.step()) {
    std::string verdict = check.text(0);
    if (verdict != "ok") {
      throw InputError(fmt::format(
          "study store {} is corrupt (SQLite integrity check: {}); expected an intact greentune "
          "store: restore it from a copy or point --storage elsewhere",
          db.path(), verdict));
    }
  }
}

}  // namespace

void check_or_create_schema(Db& db) {
  int tables = 0;
  try {
    tables = table_count(db);
    if (tables > 0) check_integrity(db);
  } catch (const StoreError& e) {
    throw InputError(fmt::format(
        "study store {} is not a readable SQLite database ({}); expected a greentune study store",
        db.path(), e.what()));
  }

  if (tables > 0) {
    if (!has_table(db, "schema_version")) {
      throw InputError(fmt::format(
          "{} is a SQLite database but not a greentune study store (it has no schema_version "
          "table); expected a store written by greentune, or a new file",
          db.path()));
    }
    Statement version(db, "SELECT version FROM schema_version");
    if (!version.step()) {
      throw InputError(
          fmt::format("study store {} has an empty schema_version table; expected "
                      "version {}",
                      db.path(), kSchemaVersion));
    }
    int64_t found = version.int64(0);
    if (found != kSchemaVersion) {
      throw InputError(fmt::format(
          "study store {} has schema version {}, but this greentune ({}) reads schema version {}; "
          "open it with the greentune that wrote it, or use another store",
          db.path(), found, GREENTUNE_VERSION, kSchemaVersion));
    }
    return;
  }

  // Two processes may create the same new store at once: the write lock orders them, and the
  // second finds the version row already there.
  Transaction transaction(db);
  db.exec(kCreateTables);
  Statement count(db, "SELECT count(*) FROM schema_version");
  count.step();
  if (count.int64(0) == 0) {
    Statement insert(db, "INSERT INTO schema_version (version) VALUES (?1)");
    insert.bind(1, static_cast<int64_t>(kSchemaVersion)).run();
  }
  transaction.commit();
}

}  // namespace greentune::store::sqlite
