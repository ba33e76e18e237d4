#pragma once
// The shared study store: one PostgreSQL database for workers on many machines. Same tables and
// semantics as the SQLite engine; a claim locks the study's row (SELECT ... FOR UPDATE), so two
// workers never propose from the same history.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/storage.hpp"

struct pg_conn;

namespace greentune::store {

class PostgresStorage final : public tune::Storage {
 public:
  // `url`: postgresql://user@host:port/dbname?... (libpq's connection URI). Creates the tables in
  // an empty database, upgrades those of an older schema version in place (one transaction) and
  // refuses a newer one (InputError naming both versions). `writable` false (listing commands):
  // the session is read-only, and a database without greentune's tables or of an older version is
  // refused (InputError) instead of being set up or upgraded.
  explicit PostgresStorage(const std::string& url, bool writable = true);
  ~PostgresStorage() override;

  tune::StudyInfo create_or_open_study(const tune::StudyInfo& wanted) override;
  std::optional<tune::StudyInfo> find_study(const std::string& name) override;
  std::vector<tune::StudyInfo> studies() override;
  std::vector<tune::Trial> trials(int64_t study_id) override;
  std::optional<tune::Trial> claim_trial(int64_t study_id, const tune::TrialOwner& owner,
                                         const tune::ProposeFn& propose) override;
  void heartbeat(int64_t trial_id) override;
  void report_intermediate(int64_t trial_id, const tune::IntermediateReport& report) override;
  void finish_trial(int64_t trial_id, const tune::Trial& result) override;
  std::vector<tune::Trial> fail_stale_trials(int64_t study_id, double stale_seconds) override;

 private:
  class Result;
  class Transaction;
  using Param = std::optional<std::string>;  // nullopt: SQL NULL
  Result exec(const char* sql, const std::vector<Param>& params = {});
  void check_or_create_schema(bool writable);
  void upgrade_from_version1();
  std::vector<tune::Trial> load_trials(int64_t study_id);
  // The running trial `trial_id`, its row locked (StoreError when there is none,
  // TrialNotRunningError when it is no longer running).
  tune::Trial load_running_trial(int64_t trial_id, const char* doing);
  void write_record(const tune::Trial& trial);
  std::optional<tune::StudyInfo> load_study(const std::string& name);
  static tune::StudyInfo read_study(const Result& r, int row, const std::string& where);
  static tune::Trial read_trial(const Result& r, int row, const std::string& where);

  std::string where_;  // "PostgreSQL database NAME on HOST" for messages (never the password)
  std::mutex mutex_;
  pg_conn* conn_ = nullptr;
};

}  // namespace greentune::store
