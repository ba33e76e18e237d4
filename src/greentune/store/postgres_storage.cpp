#include "greentune/store/postgres_storage.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "greentune/common/error.hpp"
#include "greentune/store/legacy_trial.hpp"
#include "greentune/store/libpq.hpp"
#include "greentune/store/schema.hpp"
#include "greentune/store/sqlite_storage.hpp"
#include "greentune/store/stale_trials.hpp"
#include "greentune/store/study_match.hpp"
#include "greentune/store/study_row.hpp"
#include "greentune/store/trial_row.hpp"
#include "greentune/tune/names.hpp"
#include "greentune/tune/study_objectives.hpp"

namespace greentune::store {

class PostgresStorage::Result {
 public:
  explicit Result(PGresult* result) : result_(result) {}
  Result(Result&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Result& operator=(Result&&) = delete;
  ~Result() { libpq().PQclear(result_); }
  int rows() const { return libpq().PQntuples(result_); }
  bool is_null(int row, int column) const { return libpq().PQgetisnull(result_, row, column) != 0; }
  std::string text(int row, int column) const { return libpq().PQgetvalue(result_, row, column); }
  int64_t int64(int row, int column) const {
    return std::strtoll(libpq().PQgetvalue(result_, row, column), nullptr, 10);
  }
  double real(int row, int column) const {
    return std::strtod(libpq().PQgetvalue(result_, row, column), nullptr);
  }
  std::optional<double> optional_real(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return real(row, column);
  }

 private:
  PGresult* result_;
};

namespace {

constexpr const char* kCreateTables = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS studies (
  id          BIGSERIAL PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  direction   TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
  strategy    TEXT NOT NULL,
  objective   TEXT NOT NULL,
  space_json  TEXT NOT NULL,
  config_json TEXT NOT NULL DEFAULT '{}',
  group_name  TEXT NOT NULL DEFAULT '',
  created_at  DOUBLE PRECISION NOT NULL,
  directions_json TEXT NOT NULL DEFAULT '[]',
  metrics_json    TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS trials (
  id           BIGSERIAL PRIMARY KEY,
  study_id     BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  state        TEXT NOT NULL
               CHECK (state IN ('running', 'complete', 'failed', 'diverged', 'pruned')),
  host         TEXT NOT NULL DEFAULT '',
  started_at   DOUBLE PRECISION NOT NULL,
  finished_at  DOUBLE PRECISION NOT NULL DEFAULT 0,
  heartbeat_at DOUBLE PRECISION NOT NULL,
  record_json  TEXT NOT NULL DEFAULT '{}',
  UNIQUE (study_id, number)
);
)sql";

// Every worker creating the tables at once would race on CREATE ... IF NOT EXISTS; this
// transaction-scoped advisory lock orders them ("gtun" in ASCII).
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(1735685486)";

std::optional<std::string> num(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  return fmt::format("{:.17g}", value);
}

std::string num(int64_t value) {
  return std::to_string(value);
}

constexpr const char* kStudyColumns =
    "SELECT id, name, direction, strategy, objective, space_json, config_json, group_name, "
    "directions_json, metrics_json FROM studies ";

constexpr const char* kTrialColumns =
    "SELECT id, number, state, host, started_at, finished_at, heartbeat_at, record_json "
    "FROM trials ";

}  // namespace

PostgresStorage::PostgresStorage(const std::string& url, bool writable) {
  conn_ = libpq().PQconnectdb(url.c_str());
  if (conn_ == nullptr || libpq().PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ ? libpq().PQerrorMessage(conn_) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    libpq().PQfinish(conn_);
    conn_ = nullptr;
    // The URL may hold a password: name only what libpq was asked to reach.
    throw StoreError(fmt::format("cannot connect to the PostgreSQL study store: {}", message));
  }
  where_ = fmt::format("PostgreSQL database {} on {}", libpq().PQdb(conn_), libpq().PQhost(conn_));
  exec("SET client_min_messages = warning");
  // The server then refuses every write of this session, whatever a caller tries.
  if (!writable) exec("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
  check_or_create_schema(writable);
}

PostgresStorage::~PostgresStorage() {
  libpq().PQfinish(conn_);
}

PostgresStorage::Result PostgresStorage::exec(const char* sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) {
    // libpq ends a text value at its first NUL: "a\0b" would be stored, or looked up, as "a".
    if (p && p->find('\0') != std::string::npos)
      throw InputError(
          fmt::format("study store {}: \"{}\" holds a NUL byte, which PostgreSQL "
                      "text cannot; expected text without control characters",
                      where_, tune::escaped(p->substr(0, 80))));
    values.push_back(p ? p->c_str() : nullptr);
  }
  PGresult* result = libpq().PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr,
                                          values.data(), nullptr, nullptr, 0);
  Result owned(result);
  auto status = libpq().PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = libpq().PQresultErrorMessage(result);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw StoreError(fmt::format("study store {}: \"{}\" failed: {}", where_, sql, message));
  }
  return owned;
}

// BEGIN ... COMMIT, rolled back when an exception leaves the scope.
class PostgresStorage::Transaction {
 public:
  explicit Transaction(PostgresStorage& storage) : storage_(storage) { storage_.exec("BEGIN"); }
  ~Transaction() {
    if (done_) return;
    try {
      storage_.exec("ROLLBACK");
    } catch (...) {
      // The connection is gone; the server rolls back by itself.
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    storage_.exec("COMMIT");
    done_ = true;
  }

 private:
  PostgresStorage& storage_;
  bool done_ = false;
};

void PostgresStorage::check_or_create_schema(bool writable) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  exec(kSchemaLock);
  auto has_version = exec("SELECT to_regclass('schema_version') IS NOT NULL");
  if (has_version.text(0, 0) == "t") {
    auto version = exec("SELECT version FROM schema_version");
    if (version.rows() == 0) {
      throw InputError(
          fmt::format("study store {} has an empty schema_version table; expected "
                      "version {}",
                      where_, sqlite::kSchemaVersion));
    }
    int64_t found = version.int64(0, 0);
    if (found >= 1 && found < sqlite::kSchemaVersion && !writable) {
      throw InputError(fmt::format(
          "study store {} has schema version {}, which a listing command does not upgrade; run "
          "`greentune tune` (or experiment) on it once with this greentune to upgrade it to "
          "version {}",
          where_, found, sqlite::kSchemaVersion));
    }
    if (found == 1) {
      upgrade_from_version1();
      found = 2;
    }
    if (found == 2) {
      // The same transaction, under the schema lock: a failure leaves the store as it was.
      for (const char* sql : sqlite::kUpgrade2To3) exec(sql);
      found = 3;
    }
    if (found != sqlite::kSchemaVersion) {
      throw InputError(fmt::format(
          "study store {} has schema version {}, but this greentune ({}) reads schema versions 1 "
          "to {}; open it with the greentune that wrote it, or use another database",
          where_, found, GREENTUNE_VERSION, sqlite::kSchemaVersion));
    }
    transaction.commit();
    return;
  }
  if (!writable) {
    throw InputError(fmt::format(
        "study store {} has no greentune tables (no schema_version table); listing commands never "
        "create them: run `greentune tune` with this store first",
        where_));
  }
  auto studies = exec("SELECT to_regclass('studies') IS NOT NULL");
  if (studies.text(0, 0) == "t") {
    throw InputError(
        fmt::format("{} has a 'studies' table but no schema_version table: it is not "
                    "a greentune study store; use another database",
                    where_));
  }
  // Several statements at once need the simple protocol (no parameters here).
  PGresult* created = libpq().PQexec(conn_, kCreateTables);
  Result owned(created);
  if (libpq().PQresultStatus(created) != PGRES_COMMAND_OK) {
    throw StoreError(fmt::format("study store {}: creating the tables failed: {}", where_,
                                 libpq().PQerrorMessage(conn_)));
  }
  exec("INSERT INTO schema_version (version) VALUES ($1)", {num(int64_t{sqlite::kSchemaVersion})});
  transaction.commit();
}

// Version 1 -> 2, inside the caller's transaction under the schema lock: every trial's columns,
// energy and intermediate rows and attrs blob become its typed record, numbers become 1-based,
// and the old columns and tables go.
void PostgresStorage::upgrade_from_version1() {
  std::vector<LegacyTrialRow> rows;
  std::map<int64_t, size_t> index;
  auto t = exec(
      "SELECT id, number, state, value, values_json, params_json, seconds, joules, host, "
      "attrs_json, started_at, finished_at, heartbeat_at FROM trials ORDER BY id");
  for (int i = 0; i < t.rows(); ++i) {
    LegacyTrialRow row;
    row.id = t.int64(i, 0);
    row.number = t.int64(i, 1);
    row.state = t.text(i, 2);
    row.value = t.optional_real(i, 3);
    row.values_json = t.text(i, 4);
    row.params_json = t.text(i, 5);
    row.seconds = t.real(i, 6);
    row.joules = t.real(i, 7);
    row.host = t.text(i, 8);
    row.attrs_json = t.text(i, 9);
    row.started_at = t.real(i, 10);
    row.finished_at = t.real(i, 11);
    row.heartbeat_at = t.real(i, 12);
    index[row.id] = rows.size();
    rows.push_back(std::move(row));
  }
  auto e = exec("SELECT trial_id, domain, source, kind, joules FROM trial_energy ORDER BY id");
  for (int i = 0; i < e.rows(); ++i)
    if (auto it = index.find(e.int64(i, 0)); it != index.end())
      rows[it->second].energy.push_back({e.text(i, 1), e.text(i, 3), e.text(i, 2), e.real(i, 4)});
  auto m = exec("SELECT trial_id, step, value FROM trial_intermediate ORDER BY trial_id, step");
  for (int i = 0; i < m.rows(); ++i)
    if (auto it = index.find(m.int64(i, 0)); it != index.end())
      rows[it->second].intermediate.emplace_back(static_cast<int>(m.int64(i, 1)),
                                                 m.optional_real(i, 2));
  exec("ALTER TABLE trials ADD COLUMN record_json TEXT NOT NULL DEFAULT '{}'");
  for (const auto& row : rows) {
    tune::Trial trial =
        trial_from_legacy(row, fmt::format("study store {}, trial id {}", where_, row.id));
    exec("UPDATE trials SET record_json = $1 WHERE id = $2", {record_text(trial), num(row.id)});
  }
  // Through negative numbers, so no two rows of a study share a number on the way (UNIQUE).
  exec("UPDATE trials SET number = -number - 1");
  exec("UPDATE trials SET number = -number");
  for (const char* sql :
       {"DROP TABLE trial_energy", "DROP TABLE trial_intermediate",
        "ALTER TABLE trials DROP COLUMN value, DROP COLUMN values_json, DROP COLUMN params_json, "
        "DROP COLUMN seconds, DROP COLUMN joules, DROP COLUMN attrs_json",
        "UPDATE schema_version SET version = 2"})
    exec(sql);
}

tune::StudyInfo PostgresStorage::read_study(const Result& r, int row, const std::string& where) {
  tune::StudyInfo info;
  info.id = r.int64(row, 0);
  info.name = r.text(row, 1);
  info.direction =
      r.text(row, 2) == "minimize" ? tune::Direction::minimize : tune::Direction::maximize;
  info.strategy = r.text(row, 3);
  info.objective = r.text(row, 4);
  info.space_json = r.text(row, 5);
  info.config_json = r.text(row, 6);
  info.group = r.text(row, 7);
  read_objective_columns(info, r.text(row, 8), r.text(row, 9), where);
  return info;
}

std::optional<tune::StudyInfo> PostgresStorage::load_study(const std::string& name) {
  std::string sql = std::string(kStudyColumns) + "WHERE name = $1";
  auto r = exec(sql.c_str(), {name});
  if (r.rows() == 0) return std::nullopt;
  return read_study(r, 0, where_);
}

tune::StudyInfo PostgresStorage::create_or_open_study(const tune::StudyInfo& wanted) {
  check_study_names(wanted, where_);
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  exec("LOCK TABLE studies IN SHARE ROW EXCLUSIVE MODE");
  if (auto existing = load_study(wanted.name)) {
    check_study_matches(*existing, wanted, where_);
    transaction.commit();
    return *existing;
  }
  const auto directions = tune::directions_of(wanted);
  auto r = exec(
      "INSERT INTO studies (name, direction, strategy, objective, space_json, config_json, "
      "group_name, created_at, directions_json, metrics_json) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
      {wanted.name, std::string(direction_text(directions.front())), wanted.strategy,
       wanted.objective, wanted.space_json, wanted.config_json, wanted.group, num(unix_now()),
       directions_text(directions), metrics_text(wanted.metrics)});
  tune::StudyInfo created = wanted;
  created.id = r.int64(0, 0);
  created.direction = directions.front();
  created.directions = directions;
  transaction.commit();
  return created;
}

std::optional<tune::StudyInfo> PostgresStorage::find_study(const std::string& name) {
  std::lock_guard lock(mutex_);
  return load_study(name);
}

std::vector<tune::StudyInfo> PostgresStorage::studies() {
  std::lock_guard lock(mutex_);
  std::vector<tune::StudyInfo> all;
  auto r = exec((std::string(kStudyColumns) + "ORDER BY id").c_str());
  for (int i = 0; i < r.rows(); ++i) all.push_back(read_study(r, i, where_));
  return all;
}

tune::Trial PostgresStorage::read_trial(const Result& r, int row, const std::string& where) {
  TrialRow t;
  t.id = r.int64(row, 0);
  t.number = r.int64(row, 1);
  t.state = r.text(row, 2);
  t.host = r.text(row, 3);
  t.started_at = r.real(row, 4);
  t.finished_at = r.real(row, 5);
  t.heartbeat_at = r.real(row, 6);
  t.record_json = r.text(row, 7);
  return trial_from_row(t, fmt::format("study store {}, trial id {}", where, t.id));
}

std::vector<tune::Trial> PostgresStorage::load_trials(int64_t study_id) {
  std::vector<tune::Trial> trials;
  auto r = exec((std::string(kTrialColumns) + "WHERE study_id = $1 ORDER BY number").c_str(),
                {num(study_id)});
  for (int i = 0; i < r.rows(); ++i) trials.push_back(read_trial(r, i, where_));
  return trials;
}

tune::Trial PostgresStorage::load_running_trial(int64_t trial_id, const char* doing) {
  auto r = exec((std::string(kTrialColumns) + "WHERE id = $1 FOR UPDATE").c_str(), {num(trial_id)});
  if (r.rows() == 0) {
    throw StoreError(
        fmt::format("study store {}: no trial with id {} ({})", where_, trial_id, doing));
  }
  tune::Trial trial = read_trial(r, 0, where_);
  if (trial.state != tune::TrialState::running) {
    // E.g. another worker failed it as stale: its result must not be counted a second time.
    throw tune::TrialNotRunningError(
        fmt::format("study store {}: trial {} (id {}) is {}, not running; {} was not stored",
                    where_, trial.number, trial_id, tune::to_string(trial.state), doing));
  }
  return trial;
}

void PostgresStorage::write_record(const tune::Trial& trial) {
  exec(
      "UPDATE trials SET state = $1, finished_at = $2, heartbeat_at = $3, record_json = $4 "
      "WHERE id = $5",
      {std::string(tune::to_string(trial.state)), num(trial.finished_at).value_or("0"),
       num(trial.heartbeat_at).value_or("0"), record_text(trial), num(trial.id)});
}

std::vector<tune::Trial> PostgresStorage::trials(int64_t study_id) {
  std::lock_guard lock(mutex_);
  return load_trials(study_id);
}

std::optional<tune::Trial> PostgresStorage::claim_trial(int64_t study_id,
                                                        const tune::TrialOwner& owner,
                                                        const tune::ProposeFn& propose) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  // The study's row lock serialises claims of one study across every connection.
  auto study = exec("SELECT id FROM studies WHERE id = $1 FOR UPDATE", {num(study_id)});
  if (study.rows() == 0) {
    throw StoreError(fmt::format("study store {}: no study with id {}", where_, study_id));
  }
  std::vector<tune::Trial> history = load_trials(study_id);
  std::optional<tune::Params> params = propose(history);
  if (!params) return std::nullopt;
  tune::Trial trial;
  trial.number = 1;
  for (const auto& t : history) trial.number = std::max(trial.number, t.number + 1);
  trial.state = tune::TrialState::running;
  trial.params = std::move(*params);
  trial.host = owner.host;
  trial.pid = owner.pid;
  trial.pid_namespace = owner.pid_namespace;
  trial.started_at = unix_now();
  trial.heartbeat_at = trial.started_at;
  auto r = exec(
      "INSERT INTO trials (study_id, number, state, host, started_at, heartbeat_at, record_json) "
      "VALUES ($1, $2, 'running', $3, $4, $5, $6) RETURNING id",
      {num(study_id), num(int64_t{trial.number}), owner.host, num(trial.started_at),
       num(trial.heartbeat_at), record_text(trial)});
  trial.id = r.int64(0, 0);
  transaction.commit();
  return trial;
}

void PostgresStorage::heartbeat(int64_t trial_id) {
  std::lock_guard lock(mutex_);
  exec("UPDATE trials SET heartbeat_at = $1 WHERE id = $2 AND state = 'running'",
       {num(unix_now()), num(trial_id)});
}

void PostgresStorage::report_intermediate(int64_t trial_id,
                                          const tune::IntermediateReport& report) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  tune::Trial trial = load_running_trial(trial_id, "the intermediate report");
  add_report(trial, report);
  write_record(trial);
  transaction.commit();
}

void PostgresStorage::finish_trial(int64_t trial_id, const tune::Trial& result) {
  if (result.state == tune::TrialState::running) {
    throw StoreError(
        fmt::format("study store {}: finishing trial id {} needs a final state "
                    "(complete, failed, diverged or pruned), not running",
                    where_, trial_id));
  }
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  tune::Trial stored = load_running_trial(trial_id, "its result");
  write_record(finished_record(std::move(stored), result, unix_now()));
  transaction.commit();
}

std::vector<tune::Trial> PostgresStorage::fail_stale_trials(int64_t study_id,
                                                            double stale_seconds) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  exec("SELECT id FROM studies WHERE id = $1 FOR UPDATE", {num(study_id)});
  std::vector<tune::Trial> stale =
      take_stale_trials(load_trials(study_id), unix_now(), stale_seconds);
  for (const auto& trial : stale) write_record(trial);
  transaction.commit();
  return stale;
}

}  // namespace greentune::store
