#include "greentune/store/sqlite_storage.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "greentune/common/error.hpp"
#include "greentune/store/schema.hpp"
#include "greentune/store/stale_trials.hpp"
#include "greentune/store/study_match.hpp"
#include "greentune/store/study_row.hpp"
#include "greentune/store/trial_row.hpp"
#include "greentune/tune/study_objectives.hpp"

namespace greentune::store {

using sqlite::Statement;
using sqlite::Transaction;

double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

namespace {

// Reading the header ourselves refuses a non-SQLite file before SQLite could treat it as a
// database it may write to.
void check_header(const std::string& path, bool read_only) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size == 0 && read_only) {
    throw InputError(
        fmt::format("study store {} is an empty file (0 bytes), not a greentune study store; "
                    "listing commands never make one (run `greentune tune` to start a study)",
                    path));
  }
  if (ec || size == 0) return;  // new or empty: SQLite initialises it
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  in.read(header, sizeof header);
  if (!in || std::memcmp(header, "SQLite format 3", 16) != 0) {
    throw InputError(fmt::format(
        "study store {} is not a SQLite database (its header is not \"SQLite format 3\"); "
        "expected a greentune study store or a new file name ending in .db",
        path));
  }
}

// Where the file is, or would go: the folder must exist, as for every result file.
void check_place(const std::string& path, bool read_only) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (fs::is_directory(status))
    throw InputError(fmt::format("study store {} is a folder; expected a store file", path));
  if (fs::exists(status) && !fs::is_regular_file(status))
    throw InputError(fmt::format(
        "study store {} is not a regular file (a device, FIFO or socket); expected a store file",
        path));
  if (fs::exists(status)) return;
  if (read_only) {
    throw InputError(fmt::format(
        "study store {} does not exist; run `greentune tune` first or pass --storage", path));
  }
  auto parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    throw InputError(fmt::format(
        "study store {}: folder {} does not exist (or is not a folder); create it first "
        "(mkdir -p {}) or name a store in an existing folder",
        path, parent.string(), parent.string()));
  }
}

const char* kTrialColumns =
    "SELECT id, number, state, host, started_at, finished_at, heartbeat_at, record_json "
    "FROM trials ";

tune::Trial read_trial(const Statement& row, const std::string& path) {
  TrialRow r;
  r.id = row.int64(0);
  r.number = row.int64(1);
  r.state = row.text(2);
  r.host = row.text(3);
  r.started_at = row.real(4);
  r.finished_at = row.real(5);
  r.heartbeat_at = row.real(6);
  r.record_json = row.text(7);
  return trial_from_row(r, fmt::format("study store {}, trial id {}", path, r.id));
}

tune::StudyInfo read_study(const Statement& row, const std::string& path) {
  tune::StudyInfo info;
  info.id = row.int64(0);
  info.name = row.text(1);
  info.direction =
      row.text(2) == "minimize" ? tune::Direction::minimize : tune::Direction::maximize;
  info.strategy = row.text(3);
  info.objective = row.text(4);
  info.space_json = row.text(5);
  info.config_json = row.text(6);
  info.group = row.text(7);
  read_objective_columns(info, row.text(8), row.text(9), path);
  return info;
}

const char* kStudyColumns =
    "SELECT id, name, direction, strategy, objective, space_json, config_json, group_name, "
    "directions_json, metrics_json FROM studies ";

}  // namespace

SqliteStorage::SqliteStorage(const std::string& path, SqliteOptions options) : path_(path) {
  if (path.empty()) throw InputError("study store path is empty; expected sqlite:PATH");
  check_place(path, options.read_only);
  check_header(path, options.read_only);
  if (options.read_only) {
    // A read-only connection to a WAL store makes the missing -wal and -shm files and leaves them
    // behind; a read-write one that query_only keeps from writing removes them again when it is
    // the last one out. Where a -wal file is already there (a writer at work, or one that died),
    // the connection is read-only for SQLite too, so nothing of that WAL reaches the store file.
    std::error_code ec;
    const bool wal_there = std::filesystem::exists(path + "-wal", ec);
    db_ = std::make_unique<sqlite::Db>(path, false, wal_there);
    sqlite3_busy_timeout(db_->handle(), static_cast<int>(options.busy_timeout.count()));
    db_->exec("PRAGMA query_only = ON");
    if (auto upgraded = sqlite::check_schema_for_reading(*db_)) db_ = std::move(upgraded);
    return;
  }
  db_ = std::make_unique<sqlite::Db>(path, true);
  sqlite3_busy_timeout(db_->handle(), static_cast<int>(options.busy_timeout.count()));
  db_->exec("PRAGMA foreign_keys = ON");
  sqlite::check_or_create_schema(*db_);
  // Only after the file proved to be ours: switching to WAL rewrites its header.
  db_->exec("PRAGMA journal_mode = WAL");
  // In WAL mode NORMAL loses no committed transaction when a process dies (only on power loss).
  db_->exec("PRAGMA synchronous = NORMAL");
}

std::optional<tune::StudyInfo> SqliteStorage::load_study(const std::string& name) {
  std::string sql = std::string(kStudyColumns) + "WHERE name = ?1";
  Statement query(*db_, sql.c_str());
  query.bind(1, name);
  if (!query.step()) return std::nullopt;
  return read_study(query, path_);
}

tune::StudyInfo SqliteStorage::create_or_open_study(const tune::StudyInfo& wanted) {
  check_study_names(wanted, path_);
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  if (auto existing = load_study(wanted.name)) {
    check_study_matches(*existing, wanted, path_);
    return *existing;
  }
  const auto directions = tune::directions_of(wanted);
  Statement insert(*db_,
                   "INSERT INTO studies (name, direction, strategy, objective, space_json, "
                   "config_json, group_name, created_at, directions_json, metrics_json) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  insert.bind(1, wanted.name)
      .bind(2, std::string(direction_text(directions.front())))
      .bind(3, wanted.strategy)
      .bind(4, wanted.objective)
      .bind(5, wanted.space_json)
      .bind(6, wanted.config_json)
      .bind(7, wanted.group)
      .bind(8, unix_now())
      .bind(9, directions_text(directions))
      .bind(10, metrics_text(wanted.metrics))
      .run();
  tune::StudyInfo created = wanted;
  created.id = db_->last_insert_id();
  created.direction = directions.front();
  created.directions = directions;
  transaction.commit();
  return created;
}

std::optional<tune::StudyInfo> SqliteStorage::find_study(const std::string& name) {
  std::lock_guard lock(mutex_);
  return load_study(name);
}

std::vector<tune::StudyInfo> SqliteStorage::studies() {
  std::lock_guard lock(mutex_);
  std::string sql = std::string(kStudyColumns) + "ORDER BY id";
  Statement query(*db_, sql.c_str());
  std::vector<tune::StudyInfo> all;
  while (query.step()) all.push_back(read_study(query, path_));
  return all;
}

std::vector<tune::Trial> SqliteStorage::load_trials(int64_t study_id,
                                                    std::optional<int64_t> only_trial) {
  std::vector<tune::Trial> trials;
  std::string sql = std::string(kTrialColumns) +
                    "WHERE study_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY number";
  Statement query(*db_, sql.c_str());
  query.bind(1, study_id);
  only_trial ? query.bind(2, *only_trial) : query.bind_null(2);
  while (query.step()) trials.push_back(read_trial(query, path_));
  return trials;
}

tune::Trial SqliteStorage::load_running_trial(int64_t trial_id, const char* doing) {
  std::string sql = std::string(kTrialColumns) + "WHERE id = ?1";
  Statement query(*db_, sql.c_str());
  query.bind(1, trial_id);
  if (!query.step()) {
    throw StoreError(
        fmt::format("study store {}: no trial with id {} ({})", path_, trial_id, doing));
  }
  tune::Trial trial = read_trial(query, path_);
  if (trial.state != tune::TrialState::running) {
    // E.g. another worker failed it as stale: its result must not be counted a second time.
    throw tune::TrialNotRunningError(
        fmt::format("study store {}: trial {} (id {}) is {}, not running; {} was not stored", path_,
                    trial.number, trial_id, tune::to_string(trial.state), doing));
  }
  return trial;
}

void SqliteStorage::write_record(const tune::Trial& trial) {
  Statement update(*db_,
                   "UPDATE trials SET state = ?1, finished_at = ?2, heartbeat_at = ?3, "
                   "record_json = ?4 WHERE id = ?5");
  update.bind(1, std::string(tune::to_string(trial.state)))
      .bind(2, trial.finished_at)
      .bind(3, trial.heartbeat_at)
      .bind(4, record_text(trial))
      .bind(5, trial.id)
      .run();
}

std::vector<tune::Trial> SqliteStorage::trials(int64_t study_id) {
  std::lock_guard lock(mutex_);
  return load_trials(study_id);
}

std::optional<tune::Trial> SqliteStorage::claim_trial(int64_t study_id,
                                                      const tune::TrialOwner& owner,
                                                      const tune::ProposeFn& propose) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  {
    Statement exists(*db_, "SELECT 1 FROM studies WHERE id = ?1");
    exists.bind(1, study_id);
    if (!exists.step()) {
      throw StoreError(fmt::format("study store {}: no study with id {}", path_, study_id));
    }
  }
  std::vector<tune::Trial> history = load_trials(study_id);
  std::optional<tune::Params> params = propose(history);
  if (!params) return std::nullopt;  // the guard rolls back: nothing was written

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
  Statement insert(*db_,
                   "INSERT INTO trials (study_id, number, state, host, started_at, heartbeat_at, "
                   "record_json) VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6)");
  insert.bind(1, study_id)
      .bind(2, static_cast<int64_t>(trial.number))
      .bind(3, owner.host)
      .bind(4, trial.started_at)
      .bind(5, trial.heartbeat_at)
      .bind(6, record_text(trial))
      .run();
  trial.id = db_->last_insert_id();
  transaction.commit();
  return trial;
}

void SqliteStorage::heartbeat(int64_t trial_id) {
  std::lock_guard lock(mutex_);
  Statement update(*db_, "UPDATE trials SET heartbeat_at = ?1 WHERE id = ?2 AND state = 'running'");
  update.bind(1, unix_now()).bind(2, trial_id).run();
}

void SqliteStorage::report_intermediate(int64_t trial_id, const tune::IntermediateReport& report) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  tune::Trial trial = load_running_trial(trial_id, "the intermediate report");
  add_report(trial, report);
  write_record(trial);
  transaction.commit();
}

void SqliteStorage::finish_trial(int64_t trial_id, const tune::Trial& result) {
  if (result.state == tune::TrialState::running) {
    throw StoreError(
        fmt::format("study store {}: finishing trial id {} needs a final state "
                    "(complete, failed, diverged or pruned), not running",
                    path_, trial_id));
  }
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  tune::Trial stored = load_running_trial(trial_id, "its result");
  write_record(finished_record(std::move(stored), result, unix_now()));
  transaction.commit();
}

std::vector<tune::Trial> SqliteStorage::fail_stale_trials(int64_t study_id, double stale_seconds) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  std::vector<tune::Trial> stale =
      take_stale_trials(load_trials(study_id), unix_now(), stale_seconds);
  for (const auto& trial : stale) write_record(trial);
  transaction.commit();
  return stale;
}

}  // namespace greentune::store
