#pragma once
// The embedded study store: one SQLite file in WAL mode, shared safely by processes on one machine
// (claims and finishes are BEGIN IMMEDIATE transactions; other writers wait on busy_timeout).
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "greentune/store/sqlite_db.hpp"
#include "greentune/tune/storage.hpp"

namespace greentune::store {

struct SqliteOptions {
  // How long a writer waits for another process's transaction before giving up.
  std::chrono::milliseconds busy_timeout{60000};
  // For commands that only read: the store is never created, initialised, upgraded or written,
  // and no -wal or -shm file is left behind (an older store is upgraded in a private in-memory
  // copy); writes fail with a StoreError.
  bool read_only = false;
};

class SqliteStorage final : public tune::Storage {
 public:
  // Opens (or creates) the store at `path`, upgrading one of an older schema version in place. A
  // file that is not a SQLite database, a corrupt one, one that is not a greentune store or one of
  // a newer schema version is refused with an InputError naming it, and is not modified. A new
  // store's folder must exist (InputError naming it): a typo must not scatter folders around.
  explicit SqliteStorage(const std::string& path, SqliteOptions options = {});

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

  const std::string& path() const { return path_; }

 private:
  std::vector<tune::Trial> load_trials(int64_t study_id, std::optional<int64_t> only_trial = {});
  // The running trial `trial_id` (StoreError naming what `doing` needed when there is none;
  // TrialNotRunningError when it is no longer running).
  tune::Trial load_running_trial(int64_t trial_id, const char* doing);
  void write_record(const tune::Trial& trial);
  std::optional<tune::StudyInfo> load_study(const std::string& name);

  std::string path_;
  // One connection, used by the study's main thread and its heartbeat thread: the mutex keeps
  // their transactions from interleaving.
  std::mutex mutex_;
  std::unique_ptr<sqlite::Db> db_;
};

// Seconds since the Unix epoch (trials are compared across hosts, so wall-clock time).
double unix_now();

}  // namespace greentune::store
