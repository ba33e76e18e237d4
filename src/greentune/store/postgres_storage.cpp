#include "greentune/store/postgres_storage.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "greentune/common/error.hpp"
#include "greentune/store/params_codec.hpp"
#include "greentune/store/schema.hpp"
#include "greentune/store/sqlite_storage.hpp"
#include "greentune/store/stale_trials.hpp"
#include "greentune/store/study_match.hpp"

namespace greentune::store {

class PostgresStorage::Result {
 public:
  explicit Result(PGresult* result) : result_(result) {}
  Result(Result&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Result& operator=(Result&&) = delete;
  ~Result() { PQclear(result_); }
  int rows() const { return PQntuples(result_); }
  bool is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
  std::string text(int row, int column) const { return PQgetvalue(result_, row, column); }
  int64_t int64(int row, int column) const {
    return std::strtoll(PQgetvalue(result_, row, column), nullptr, 10);
  }
  double real(int row, int column) const {
    return std::strtod(PQgetvalue(result_, row, column), nullptr);
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
  created_at  DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
  id           BIGSERIAL PRIMARY KEY,
  study_id     BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  state        TEXT NOT NULL
               CHECK (state IN ('running', 'complete', 'failed', 'diverged', 'pruned')),
  value        DOUBLE PRECISION,
  values_json  TEXT NOT NULL DEFAULT '[]',
  params_json  TEXT NOT NULL,
  seconds      DOUBLE PRECISION NOT NULL DEFAULT 0,
  joules       DOUBLE PRECISION NOT NULL DEFAULT 0,
  host         TEXT NOT NULL DEFAULT '',
  attrs_json   TEXT NOT NULL DEFAULT '{}',
  started_at   DOUBLE PRECISION NOT NULL,
  finished_at  DOUBLE PRECISION NOT NULL DEFAULT 0,
  heartbeat_at DOUBLE PRECISION NOT NULL,
  UNIQUE (study_id, number)
);
CREATE TABLE IF NOT EXISTS trial_energy (
  id       BIGSERIAL PRIMARY KEY,
  trial_id BIGINT NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  domain   TEXT NOT NULL,
  source   TEXT NOT NULL,
  kind     TEXT NOT NULL,
  joules   DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS trial_energy_by_trial ON trial_energy (trial_id);
CREATE TABLE IF NOT EXISTS trial_intermediate (
  trial_id BIGINT NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  step     INTEGER NOT NULL,
  value    DOUBLE PRECISION,
  PRIMARY KEY (trial_id, step)
);
)sql";

// Every worker creating the tables at once would race on CREATE ... IF NOT EXISTS; this
// transaction-scoped advisory lock orders them ("gtun" in ASCII).
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(1735685486)";

std::optional<std::string> num(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  return fmt::format("{:.17g}", value);
}

std::optional<std::string> num(const std::optional<double>& value) {
  return value ? num(*value) : std::nullopt;
}

std::string num(int64_t value) {
  return std::to_string(value);
}

constexpr const char* kStudyColumns =
    "SELECT id, name, direction, strategy, objective, space_json, config_json, group_name "
    "FROM studies ";

}  // namespace

PostgresStorage::PostgresStorage(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    // The URL may hold a password: name only what libpq was asked to reach.
    throw StoreError(fmt::format("cannot connect to the PostgreSQL study store: {}", message));
  }
  where_ = fmt::format("PostgreSQL database {} on {}", PQdb(conn_), PQhost(conn_));
  exec("SET client_min_messages = warning");
  check_or_create_schema();
}

PostgresStorage::~PostgresStorage() {
  PQfinish(conn_);
}

PostgresStorage::Result PostgresStorage::exec(const char* sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* result = PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
  Result owned(result);
  auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = PQresultErrorMessage(result);
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

void PostgresStorage::check_or_create_schema() {
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
    if (found != sqlite::kSchemaVersion) {
      throw InputError(fmt::format(
          "study store {} has schema version {}, but this greentune ({}) reads schema version {}; "
          "open it with the greentune that wrote it, or use another database",
          where_, found, GREENTUNE_VERSION, sqlite::kSchemaVersion));
    }
    transaction.commit();
    return;
  }
  auto studies = exec("SELECT to_regclass('studies') IS NOT NULL");
  if (studies.text(0, 0) == "t") {
    throw InputError(
        fmt::format("{} has a 'studies' table but no schema_version table: it is not "
                    "a greentune study store; use another database",
                    where_));
  }
  // Several statements at once need the simple protocol (no parameters here).
  PGresult* created = PQexec(conn_, kCreateTables);
  Result owned(created);
  if (PQresultStatus(created) != PGRES_COMMAND_OK) {
    throw StoreError(fmt::format("study store {}: creating the tables failed: {}", where_,
                                 PQerrorMessage(conn_)));
  }
  exec("INSERT INTO schema_version (version) VALUES ($1)", {num(int64_t{sqlite::kSchemaVersion})});
  transaction.commit();
}

StudyInfo PostgresStorage::read_study(const Result& r, int row) {
  StudyInfo info;
  info.id = r.int64(row, 0);
  info.name = r.text(row, 1);
  info.direction =
      r.text(row, 2) == "minimize" ? tune::Direction::minimize : tune::Direction::maximize;
  info.strategy = r.text(row, 3);
  info.objective = r.text(row, 4);
  info.space_json = r.text(row, 5);
  info.config_json = r.text(row, 6);
  info.group = r.text(row, 7);
  return info;
}

std::optional<StudyInfo> PostgresStorage::load_study(const std::string& name) {
  std::string sql = std::string(kStudyColumns) + "WHERE name = $1";
  auto r = exec(sql.c_str(), {name});
  if (r.rows() == 0) return std::nullopt;
  return read_study(r, 0);
}

StudyInfo PostgresStorage::create_or_open_study(const StudyInfo& wanted) {
  if (wanted.name.empty()) throw InputError("study name is empty; expected a name");
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  exec("LOCK TABLE studies IN SHARE ROW EXCLUSIVE MODE");
  if (auto existing = load_study(wanted.name)) {
    check_study_matches(*existing, wanted, where_);
    transaction.commit();
    return *existing;
  }
  auto r = exec(
      "INSERT INTO studies (name, direction, strategy, objective, space_json, config_json, "
      "group_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
      {wanted.name, std::string(direction_text(wanted.direction)), wanted.strategy,
       wanted.objective, wanted.space_json, wanted.config_json, wanted.group, num(unix_now())});
  StudyInfo created = wanted;
  created.id = r.int64(0, 0);
  transaction.commit();
  return created;
}

std::optional<StudyInfo> PostgresStorage::find_study(const std::string& name) {
  std::lock_guard lock(mutex_);
  return load_study(name);
}

std::vector<StudyInfo> PostgresStorage::studies() {
  std::lock_guard lock(mutex_);
  std::vector<StudyInfo> all;
  auto r = exec((std::string(kStudyColumns) + "ORDER BY id").c_str());
  for (int i = 0; i < r.rows(); ++i) all.push_back(read_study(r, i));
  return all;
}

std::vector<tune::Trial> PostgresStorage::load_trials(int64_t study_id) {
  std::vector<tune::Trial> trials;
  std::map<int64_t, size_t> index;
  auto r = exec(
      "SELECT id, number, state, value, values_json, params_json, seconds, joules, host, "
      "attrs_json, started_at, finished_at, heartbeat_at FROM trials WHERE study_id = $1 "
      "ORDER BY number",
      {num(study_id)});
  for (int i = 0; i < r.rows(); ++i) {
    tune::Trial t;
    t.id = r.int64(i, 0);
    t.number = static_cast<int>(r.int64(i, 1));
    std::string where = fmt::format("study store {}, trial id {}", where_, t.id);
    t.state = tune::trial_state_from_string(r.text(i, 2));
    t.value = r.optional_real(i, 3);
    t.values = decode_values(r.text(i, 4), where);
    t.params = decode_params(r.text(i, 5), where);
    t.seconds = r.real(i, 6);
    t.joules = r.real(i, 7);
    t.host = r.text(i, 8);
    t.attrs_json = r.text(i, 9);
    t.started_at = r.real(i, 10);
    t.finished_at = r.real(i, 11);
    t.heartbeat_at = r.real(i, 12);
    index[t.id] = trials.size();
    trials.push_back(std::move(t));
  }
  if (trials.empty()) return trials;
  auto e = exec(
      "SELECT e.trial_id, e.domain, e.source, e.kind, e.joules FROM trial_energy e JOIN trials t "
      "ON t.id = e.trial_id WHERE t.study_id = $1 ORDER BY e.id",
      {num(study_id)});
  for (int i = 0; i < e.rows(); ++i) {
    auto it = index.find(e.int64(i, 0));
    if (it == index.end()) continue;
    trials[it->second].energy.push_back({e.text(i, 1), e.text(i, 2), e.text(i, 3), e.real(i, 4)});
  }
  auto m = exec(
      "SELECT i.trial_id, i.step, i.value FROM trial_intermediate i JOIN trials t "
      "ON t.id = i.trial_id WHERE t.study_id = $1 ORDER BY i.trial_id, i.step",
      {num(study_id)});
  for (int i = 0; i < m.rows(); ++i) {
    auto it = index.find(m.int64(i, 0));
    if (it == index.end()) continue;
    double value = m.optional_real(i, 2).value_or(std::numeric_limits<double>::quiet_NaN());
    trials[it->second].intermediate.push_back({static_cast<int>(m.int64(i, 1)), value});
  }
  return trials;
}

std::vector<tune::Trial> PostgresStorage::trials(int64_t study_id) {
  std::lock_guard lock(mutex_);
  return load_trials(study_id);
}

std::optional<tune::Trial> PostgresStorage::claim_trial(
    int64_t study_id, const std::string& host,
    const std::function<std::optional<tune::Params>(const std::vector<tune::Trial>&)>& propose) {
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
  for (const auto& t : history) trial.number = std::max(trial.number, t.number + 1);
  trial.state = tune::TrialState::running;
  trial.params = std::move(*params);
  trial.host = host;
  trial.started_at = unix_now();
  trial.heartbeat_at = trial.started_at;
  auto r = exec(
      "INSERT INTO trials (study_id, number, state, params_json, host, started_at, heartbeat_at) "
      "VALUES ($1, $2, 'running', $3, $4, $5, $6) RETURNING id",
      {num(study_id), num(int64_t{trial.number}), encode_params(trial.params), host,
       num(trial.started_at), num(trial.heartbeat_at)});
  trial.id = r.int64(0, 0);
  transaction.commit();
  return trial;
}

void PostgresStorage::heartbeat(int64_t trial_id) {
  std::lock_guard lock(mutex_);
  exec("UPDATE trials SET heartbeat_at = $1 WHERE id = $2 AND state = 'running'",
       {num(unix_now()), num(trial_id)});
}

void PostgresStorage::set_running_attrs(int64_t trial_id, const std::string& attrs_json) {
  std::lock_guard lock(mutex_);
  exec("UPDATE trials SET attrs_json = $1 WHERE id = $2 AND state = 'running'",
       {attrs_json, num(trial_id)});
}

void PostgresStorage::report_intermediate(int64_t trial_id, int step, double value) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  auto state = exec("SELECT state FROM trials WHERE id = $1 FOR UPDATE", {num(trial_id)});
  if (state.rows() == 0 || state.text(0, 0) != "running") {
    throw StoreError(fmt::format(
        "study store {}: trial id {} is not running; intermediate values go to running trials",
        where_, trial_id));
  }
  exec(
      "INSERT INTO trial_intermediate (trial_id, step, value) VALUES ($1, $2, $3) "
      "ON CONFLICT (trial_id, step) DO UPDATE SET value = EXCLUDED.value",
      {num(trial_id), num(int64_t{step}), num(value)});
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
  auto state = exec("SELECT state, number FROM trials WHERE id = $1 FOR UPDATE", {num(trial_id)});
  if (state.rows() == 0) {
    throw StoreError(fmt::format("study store {}: no trial with id {}", where_, trial_id));
  }
  if (state.text(0, 0) != "running") {
    throw TrialNotRunningError(fmt::format(
        "study store {}: trial {} (id {}) is {}, not running; its result was not stored", where_,
        state.text(0, 1), trial_id, state.text(0, 0)));
  }
  double joules = result.joules;
  if (joules == 0) {
    for (const auto& e : result.energy) joules += e.joules;
  }
  exec(
      "UPDATE trials SET state = $1, value = $2, values_json = $3, seconds = $4, joules = $5, "
      "attrs_json = $6, finished_at = $7, heartbeat_at = $7 WHERE id = $8",
      {std::string(tune::to_string(result.state)), num(result.value), encode_values(result.values),
       num(result.seconds).value_or("0"), num(joules).value_or("0"),
       result.attrs_json.empty() ? std::string("{}") : result.attrs_json,
       num(result.finished_at > 0 ? result.finished_at : unix_now()), num(trial_id)});
  exec("DELETE FROM trial_energy WHERE trial_id = $1", {num(trial_id)});
  for (const auto& e : result.energy) {
    exec(
        "INSERT INTO trial_energy (trial_id, domain, source, kind, joules) "
        "VALUES ($1, $2, $3, $4, $5)",
        {num(trial_id), e.domain, e.source, e.kind, num(e.joules).value_or("0")});
  }
  for (const auto& i : result.intermediate) {
    exec(
        "INSERT INTO trial_intermediate (trial_id, step, value) VALUES ($1, $2, $3) "
        "ON CONFLICT (trial_id, step) DO UPDATE SET value = EXCLUDED.value",
        {num(trial_id), num(int64_t{i.step}), num(i.value)});
  }
  transaction.commit();
}

std::vector<tune::Trial> PostgresStorage::fail_stale_trials(int64_t study_id,
                                                            double stale_seconds) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  exec("SELECT id FROM studies WHERE id = $1 FOR UPDATE", {num(study_id)});
  double now = unix_now();
  std::vector<tune::Trial> stale = take_stale_trials(load_trials(study_id), now, stale_seconds);
  for (const auto& trial : stale) {
    exec(
        "UPDATE trials SET state = 'failed', attrs_json = $1, finished_at = $2 "
        "WHERE id = $3 AND state = 'running'",
        {trial.attrs_json, num(now), num(trial.id)});
  }
  transaction.commit();
  return stale;
}

}  // namespace greentune::store
