#include "greentune/store/schema.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "greentune/common/error.hpp"
#include "greentune/store/legacy_trial.hpp"
#include "greentune/store/trial_row.hpp"

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
  created_at  REAL NOT NULL,
  directions_json TEXT NOT NULL DEFAULT '[]',
  metrics_json    TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS trials (
  id           INTEGER PRIMARY KEY,
  study_id     INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  state        TEXT NOT NULL
               CHECK (state IN ('running', 'complete', 'failed', 'diverged', 'pruned')),
  host         TEXT NOT NULL DEFAULT '',
  started_at   REAL NOT NULL,
  finished_at  REAL NOT NULL DEFAULT 0,
  heartbeat_at REAL NOT NULL,
  record_json  TEXT NOT NULL DEFAULT '{}',
  UNIQUE (study_id, number)
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

int64_t stored_version(Db& db) {
  Statement version(db, "SELECT version FROM schema_version");
  if (!version.step()) {
    throw InputError(
        fmt::format("study store {} has an empty schema_version table; expected version {}",
                    db.path(), kSchemaVersion));
  }
  return version.int64(0);
}

std::vector<LegacyTrialRow> read_version1_trials(Db& db) {
  std::vector<LegacyTrialRow> rows;
  std::map<int64_t, size_t> index;
  Statement trials(db,
                   "SELECT id, number, state, value, values_json, params_json, seconds, joules, "
                   "host, attrs_json, started_at, finished_at, heartbeat_at FROM trials "
                   "ORDER BY id");
  while (trials.step()) {
    LegacyTrialRow row;
    row.id = trials.int64(0);
    row.number = trials.int64(1);
    row.state = trials.text(2);
    row.value = trials.optional_real(3);
    row.values_json = trials.text(4);
    row.params_json = trials.text(5);
    row.seconds = trials.real(6);
    row.joules = trials.real(7);
    row.host = trials.text(8);
    row.attrs_json = trials.text(9);
    row.started_at = trials.real(10);
    row.finished_at = trials.real(11);
    row.heartbeat_at = trials.real(12);
    index[row.id] = rows.size();
    rows.push_back(std::move(row));
  }
  Statement energy(
      db, "SELECT trial_id, domain, source, kind, joules FROM trial_energy ORDER BY rowid");
  while (energy.step())
    if (auto it = index.find(energy.int64(0)); it != index.end())
      rows[it->second].energy.push_back(
          {energy.text(1), energy.text(3), energy.text(2), energy.real(4)});
  Statement reports(db,
                    "SELECT trial_id, step, value FROM trial_intermediate ORDER BY trial_id, step");
  while (reports.step())
    if (auto it = index.find(reports.int64(0)); it != index.end())
      rows[it->second].intermediate.emplace_back(static_cast<int>(reports.int64(1)),
                                                 reports.optional_real(2));
  return rows;
}

// Version 1 -> 2: every trial's columns, energy and intermediate rows and attrs blob become its
// typed record, numbers become 1-based, and the old columns and tables go. One transaction: a
// failure leaves the store as it was.
void upgrade_from_version1(Db& db) {
  Transaction transaction(db);
  if (stored_version(db) != 1) return;  // another process upgraded it while we waited
  auto rows = read_version1_trials(db);
  db.exec("ALTER TABLE trials ADD COLUMN record_json TEXT NOT NULL DEFAULT '{}'");
  for (const auto& row : rows) {
    tune::Trial trial =
        trial_from_legacy(row, fmt::format("study store {}, trial id {}", db.path(), row.id));
    Statement update(db, "UPDATE trials SET record_json = ?1 WHERE id = ?2");
    update.bind(1, record_text(trial)).bind(2, row.id).run();
  }
  // Through negative numbers, so no two rows of a study share a number on the way (UNIQUE).
  db.exec("UPDATE trials SET number = -number - 1");
  db.exec("UPDATE trials SET number = -number");
  db.exec(
      "DROP INDEX IF EXISTS trial_energy_by_trial;"
      "DROP TABLE trial_energy;"
      "DROP TABLE trial_intermediate;"
      "ALTER TABLE trials DROP COLUMN value;"
      "ALTER TABLE trials DROP COLUMN values_json;"
      "ALTER TABLE trials DROP COLUMN params_json;"
      "ALTER TABLE trials DROP COLUMN seconds;"
      "ALTER TABLE trials DROP COLUMN joules;"
      "ALTER TABLE trials DROP COLUMN attrs_json;"
      "UPDATE schema_version SET version = 2");
  transaction.commit();
}

// Version 2 -> 3: each study's direction becomes its list of directions. One transaction.
void upgrade_from_version2(Db& db) {
  Transaction transaction(db);
  if (stored_version(db) != 2) return;  // another process upgraded it while we waited
  for (const char* sql : kUpgrade2To3) db.exec(sql);
  transaction.commit();
}

// The number of tables, after checking the file reads as an intact SQLite database.
int readable_tables(Db& db) {
  try {
    int tables = table_count(db);
    if (tables > 0) check_integrity(db);
    return tables;
  } catch (const StoreError& e) {
    throw InputError(fmt::format(
        "study store {} is not a readable SQLite database ({}); expected a greentune study store",
        db.path(), e.what()));
  }
}

int64_t greentune_version(Db& db) {
  if (!has_table(db, "schema_version")) {
    throw InputError(fmt::format(
        "{} is a SQLite database but not a greentune study store (it has no schema_version "
        "table); expected a store written by greentune, or a new file",
        db.path()));
  }
  return stored_version(db);
}

void check_current(Db& db, int64_t found) {
  if (found != kSchemaVersion) {
    throw InputError(fmt::format(
        "study store {} has schema version {}, but this greentune ({}) reads schema versions 1 "
        "to {}; open it with the greentune that wrote it, or use another store",
        db.path(), found, GREENTUNE_VERSION, kSchemaVersion));
  }
}

}  // namespace

std::unique_ptr<Db> check_schema_for_reading(Db& db) {
  if (readable_tables(db) == 0) {
    throw InputError(fmt::format(
        "study store {} has no tables: it is not a greentune study store (listing commands never "
        "create one); run `greentune tune` or `greentune experiment` to make a store",
        db.path()));
  }
  int64_t found = greentune_version(db);
  if (found == 1) {
    auto copy = db.copy_in_memory();
    upgrade_from_version1(*copy);
    upgrade_from_version2(*copy);
    check_current(*copy, stored_version(*copy));
    return copy;
  }
  if (found == 2) {
    auto copy = db.copy_in_memory();
    upgrade_from_version2(*copy);
    check_current(*copy, stored_version(*copy));
    return copy;
  }
  check_current(db, found);
  return nullptr;
}

void check_or_create_schema(Db& db) {
  if (readable_tables(db) > 0) {
    int64_t found = greentune_version(db);
    if (found == 1) {
      upgrade_from_version1(db);
      found = stored_version(db);
    }
    if (found == 2) {
      upgrade_from_version2(db);
      found = stored_version(db);
    }
    check_current(db, found);
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
