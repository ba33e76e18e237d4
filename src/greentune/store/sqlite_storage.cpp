#include "greentune/store/sqlite_storage.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "greentune/common/error.hpp"
#include "greentune/store/params_codec.hpp"
#include "greentune/store/schema.hpp"
#include "greentune/store/stale_trials.hpp"
#include "greentune/store/study_match.hpp"

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
void check_header(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
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

const char* kTrialColumns =
    "SELECT id, number, state, value, values_json, params_json, seconds, joules, host, "
    "attrs_json, started_at, finished_at, heartbeat_at FROM trials ";

tune::Trial read_trial(const Statement& row, const std::string& path) {
  tune::Trial trial;
  trial.id = row.int64(0);
  trial.number = static_cast<int>(row.int64(1));
  std::string where = fmt::format("study store {}, trial id {}", path, trial.id);
  trial.state = tune::trial_state_from_string(row.text(2));
  trial.value = row.optional_real(3);
  trial.values = decode_values(row.text(4), where);
  trial.params = decode_params(row.text(5), where);
  trial.seconds = row.real(6);
  trial.joules = row.real(7);
  trial.host = row.text(8);
  trial.attrs_json = row.text(9);
  trial.started_at = row.real(10);
  trial.finished_at = row.real(11);
  trial.heartbeat_at = row.real(12);
  return trial;
}

StudyInfo read_study(const Statement& row) {
  StudyInfo info;
  info.id = row.int64(0);
  info.name = row.text(1);
  info.direction =
      row.text(2) == "minimize" ? tune::Direction::minimize : tune::Direction::maximize;
  info.strategy = row.text(3);
  info.objective = row.text(4);
  info.space_json = row.text(5);
  info.config_json = row.text(6);
  info.group = row.text(7);
  return info;
}

const char* kStudyColumns =
    "SELECT id, name, direction, strategy, objective, space_json, config_json, group_name "
    "FROM studies ";

}  // namespace

SqliteStorage::SqliteStorage(const std::string& path, SqliteOptions options) : path_(path) {
  if (path.empty()) throw InputError("study store path is empty; expected sqlite:PATH");
  check_header(path);
  std::error_code ec;
  bool exists = std::filesystem::exists(path, ec);
  if (!exists) {
    auto parent = std::filesystem::path(path).parent_path();
    // A new store may name a folder of its own (sqlite:out/quick.db), as result files may.
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec) &&
        !std::filesystem::create_directories(parent, ec)) {
      throw InputError(fmt::format("study store {}: cannot create directory {}: {}", path,
                                   parent.string(), ec.message()));
    }
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

std::optional<StudyInfo> SqliteStorage::load_study(const std::string& name) {
  std::string sql = std::string(kStudyColumns) + "WHERE name = ?1";
  Statement query(*db_, sql.c_str());
  query.bind(1, name);
  if (!query.step()) return std::nullopt;
  return read_study(query);
}

StudyInfo SqliteStorage::create_or_open_study(const StudyInfo& wanted) {
  if (wanted.name.empty()) throw InputError("study name is empty; expected a name");
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  if (auto existing = load_study(wanted.name)) {
    check_study_matches(*existing, wanted, path_);
    return *existing;
  }
  Statement insert(*db_,
                   "INSERT INTO studies (name, direction, strategy, objective, space_json, "
                   "config_json, group_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  insert.bind(1, wanted.name)
      .bind(2, std::string(direction_text(wanted.direction)))
      .bind(3, wanted.strategy)
      .bind(4, wanted.objective)
      .bind(5, wanted.space_json)
      .bind(6, wanted.config_json)
      .bind(7, wanted.group)
      .bind(8, unix_now())
      .run();
  StudyInfo created = wanted;
  created.id = db_->last_insert_id();
  transaction.commit();
  return created;
}

std::optional<StudyInfo> SqliteStorage::find_study(const std::string& name) {
  std::lock_guard lock(mutex_);
  return load_study(name);
}

std::vector<StudyInfo> SqliteStorage::studies() {
  std::lock_guard lock(mutex_);
  std::string sql = std::string(kStudyColumns) + "ORDER BY id";
  Statement query(*db_, sql.c_str());
  std::vector<StudyInfo> all;
  while (query.step()) all.push_back(read_study(query));
  return all;
}

std::vector<tune::Trial> SqliteStorage::load_trials(int64_t study_id,
                                                    std::optional<int64_t> only_trial) {
  std::vector<tune::Trial> trials;
  std::map<int64_t, size_t> index;
  {
    std::string sql = std::string(kTrialColumns) +
                      "WHERE study_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY number";
    Statement query(*db_, sql.c_str());
    query.bind(1, study_id);
    only_trial ? query.bind(2, *only_trial) : query.bind_null(2);
    while (query.step()) {
      trials.push_back(read_trial(query, path_));
      index[trials.back().id] = trials.size() - 1;
    }
  }
  if (trials.empty()) return trials;
  {
    Statement query(*db_,
                    "SELECT e.trial_id, e.domain, e.source, e.kind, e.joules FROM trial_energy e "
                    "JOIN trials t ON t.id = e.trial_id WHERE t.study_id = ?1 "
                    "AND (?2 IS NULL OR t.id = ?2) ORDER BY e.rowid");
    query.bind(1, study_id);
    only_trial ? query.bind(2, *only_trial) : query.bind_null(2);
    while (query.step()) {
      auto it = index.find(query.int64(0));
      if (it == index.end()) continue;
      trials[it->second].energy.push_back(
          {query.text(1), query.text(2), query.text(3), query.real(4)});
    }
  }
  {
    Statement query(*db_,
                    "SELECT i.trial_id, i.step, i.value FROM trial_intermediate i "
                    "JOIN trials t ON t.id = i.trial_id WHERE t.study_id = ?1 "
                    "AND (?2 IS NULL OR t.id = ?2) ORDER BY i.trial_id, i.step");
    query.bind(1, study_id);
    only_trial ? query.bind(2, *only_trial) : query.bind_null(2);
    while (query.step()) {
      auto it = index.find(query.int64(0));
      if (it == index.end()) continue;
      double value = query.optional_real(2).value_or(std::numeric_limits<double>::quiet_NaN());
      trials[it->second].intermediate.push_back({static_cast<int>(query.int64(1)), value});
    }
  }
  return trials;
}

std::vector<tune::Trial> SqliteStorage::trials(int64_t study_id) {
  std::lock_guard lock(mutex_);
  return load_trials(study_id);
}

std::optional<tune::Trial> SqliteStorage::claim_trial(
    int64_t study_id, const std::string& host,
    const std::function<std::optional<tune::Params>(const std::vector<tune::Trial>&)>& propose) {
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
  trial.number = 0;
  for (const auto& t : history) trial.number = std::max(trial.number, t.number + 1);
  trial.state = tune::TrialState::running;
  trial.params = std::move(*params);
  trial.host = host;
  trial.started_at = unix_now();
  trial.heartbeat_at = trial.started_at;
  Statement insert(*db_,
                   "INSERT INTO trials (study_id, number, state, params_json, host, started_at, "
                   "heartbeat_at) VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6)");
  insert.bind(1, study_id)
      .bind(2, static_cast<int64_t>(trial.number))
      .bind(3, encode_params(trial.params))
      .bind(4, host)
      .bind(5, trial.started_at)
      .bind(6, trial.heartbeat_at)
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

void SqliteStorage::set_running_attrs(int64_t trial_id, const std::string& attrs_json) {
  std::lock_guard lock(mutex_);
  Statement update(*db_, "UPDATE trials SET attrs_json = ?1 WHERE id = ?2 AND state = 'running'");
  update.bind(1, attrs_json).bind(2, trial_id).run();
}

void SqliteStorage::report_intermediate(int64_t trial_id, int step, double value) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  Statement state(*db_, "SELECT state FROM trials WHERE id = ?1");
  state.bind(1, trial_id);
  if (!state.step() || state.text(0) != "running") {
    throw StoreError(fmt::format(
        "study store {}: trial id {} is not running; intermediate values go to running trials",
        path_, trial_id));
  }
  Statement insert(*db_,
                   "INSERT OR REPLACE INTO trial_intermediate (trial_id, step, value) "
                   "VALUES (?1, ?2, ?3)");
  insert.bind(1, trial_id).bind(2, static_cast<int64_t>(step));
  std::isfinite(value) ? insert.bind(3, value) : insert.bind_null(3);
  insert.run();
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
  {
    Statement state(*db_, "SELECT state, number FROM trials WHERE id = ?1");
    state.bind(1, trial_id);
    if (!state.step()) {
      throw StoreError(fmt::format("study store {}: no trial with id {}", path_, trial_id));
    }
    if (state.text(0) != "running") {
      // E.g. another worker failed it as stale: its result must not be counted a second time.
      throw TrialNotRunningError(fmt::format(
          "study store {}: trial {} (id {}) is {}, not running; its result was not stored", path_,
          state.int64(1), trial_id, state.text(0)));
    }
  }
  double joules = result.joules;
  if (joules == 0) {
    for (const auto& e : result.energy) joules += e.joules;
  }
  std::optional<double> value = result.value;
  if (value && !std::isfinite(*value)) value.reset();
  Statement update(*db_,
                   "UPDATE trials SET state = ?1, value = ?2, values_json = ?3, seconds = ?4, "
                   "joules = ?5, attrs_json = ?6, finished_at = ?7, heartbeat_at = ?7 "
                   "WHERE id = ?8");
  update.bind(1, std::string(tune::to_string(result.state)))
      .bind(2, value)
      .bind(3, encode_values(result.values))
      .bind(4, result.seconds)
      .bind(5, joules)
      .bind(6, result.attrs_json.empty() ? std::string("{}") : result.attrs_json)
      .bind(7, result.finished_at > 0 ? result.finished_at : unix_now())
      .bind(8, trial_id)
      .run();
  Statement clear(*db_, "DELETE FROM trial_energy WHERE trial_id = ?1");
  clear.bind(1, trial_id).run();
  for (const auto& e : result.energy) {
    Statement insert(*db_,
                     "INSERT INTO trial_energy (trial_id, domain, source, kind, joules) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, trial_id).bind(2, e.domain).bind(3, e.source).bind(4, e.kind).bind(5, e.joules);
    insert.run();
  }
  for (const auto& i : result.intermediate) {
    Statement insert(*db_,
                     "INSERT OR REPLACE INTO trial_intermediate (trial_id, step, value) "
                     "VALUES (?1, ?2, ?3)");
    insert.bind(1, trial_id).bind(2, static_cast<int64_t>(i.step));
    std::isfinite(i.value) ? insert.bind(3, i.value) : insert.bind_null(3);
    insert.run();
  }
  transaction.commit();
}

std::vector<tune::Trial> SqliteStorage::fail_stale_trials(int64_t study_id, double stale_seconds) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  double now = unix_now();
  std::vector<tune::Trial> stale = take_stale_trials(load_trials(study_id), now, stale_seconds);
  for (const auto& trial : stale) {
    Statement update(*db_,
                     "UPDATE trials SET state = 'failed', attrs_json = ?1, finished_at = ?2 "
                     "WHERE id = ?3 AND state = 'running'");
    update.bind(1, trial.attrs_json).bind(2, now).bind(3, trial.id).run();
  }
  transaction.commit();
  return stale;
}

}  // namespace greentune::store
