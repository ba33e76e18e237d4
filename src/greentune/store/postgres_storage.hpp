#pragma once
// The shared study store: one PostgreSQL database for workers on many machines. Same tables and
// semantics as the SQLite engine; a claim locks the study's row (SELECT ... FOR UPDATE), so two
// workers never propose from the same history.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "greentune/store/storage.hpp"

struct pg_conn;

namespace greentune::store {

class PostgresStorage final : public Storage {
 public:
  // `url`: postgresql://user@host:port/dbname?... (libpq's connection URI). Creates the tables in
  // an empty database; refuses one of another schema version (InputError naming both versions).
  explicit PostgresStorage(const std::string& url);
  ~PostgresStorage() override;

  StudyInfo create_or_open_study(const StudyInfo& wanted) override;
  std::optional<StudyInfo> find_study(const std::string& name) override;
  std::vector<StudyInfo> studies() override;
  std::vector<tune::Trial> trials(int64_t study_id) override;
  std::optional<tune::Trial> claim_trial(
      int64_t study_id, const std::string& host,
      const std::function<std::optional<tune::Params>(const std::vector<tune::Trial>&)>& propose)
      override;
  void heartbeat(int64_t trial_id) override;
  void set_running_attrs(int64_t trial_id, const std::string& attrs_json) override;
  void report_intermediate(int64_t trial_id, int step, double value) override;
  void finish_trial(int64_t trial_id, const tune::Trial& result) override;
  std::vector<tune::Trial> fail_stale_trials(int64_t study_id, double stale_seconds) override;

 private:
  class Result;
  class Transaction;
  using Param = std::optional<std::string>;  // nullopt: SQL NULL
  Result exec(const char* sql, const std::vector<Param>& params = {});
  void check_or_create_schema();
  std::vector<tune::Trial> load_trials(int64_t study_id);
  std::optional<StudyInfo> load_study(const std::string& name);
  static StudyInfo read_study(const Result& r, int row);

  std::string where_;  // "PostgreSQL database NAME on HOST" for messages (never the password)
  std::mutex mutex_;
  pg_conn* conn_ = nullptr;
};

}  // namespace greentune::store
