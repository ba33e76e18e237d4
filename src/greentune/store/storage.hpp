#pragma once
// One storage interface, two engines (SQLite embedded, PostgreSQL shared). Samplers are stateless:
// they read the history from here, so many workers on many machines can share one study.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greentune/common/error.hpp"
#include "greentune/tune/space.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::store {

// finish_trial on a trial that is no longer running (e.g. failed as stale by another worker).
class TrialNotRunningError : public StoreError {
 public:
  using StoreError::StoreError;
};

struct StudyInfo {
  int64_t id = 0;
  std::string name;
  tune::Direction direction = tune::Direction::maximize;
  std::string strategy;            // grid | random | bayes | ...
  std::string objective;           // train | branin | hartmann6 | ...
  std::string space_json;          // the search space as configured; a changed space is refused
  std::string config_json = "{}";  // the rest of the study's configuration, for the report
  std::string group;               // experiment this study belongs to ("" if none)
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Creates the study, or returns the existing one with this name after checking that its
  // direction, objective and space match (InputError naming the difference otherwise).
  virtual StudyInfo create_or_open_study(const StudyInfo& wanted) = 0;
  virtual std::optional<StudyInfo> find_study(const std::string& name) = 0;
  virtual std::vector<StudyInfo> studies() = 0;

  virtual std::vector<tune::Trial> trials(int64_t study_id) = 0;

  // Claims the next trial atomically: `propose` sees every trial of the study (running ones
  // included) inside one write transaction and returns the parameters; the new running trial is
  // stored before any other process can propose. This is what keeps two workers off one grid point.
  // `propose` returning std::nullopt means the space is exhausted: no trial is created.
  virtual std::optional<tune::Trial> claim_trial(
      int64_t study_id, const std::string& host,
      const std::function<std::optional<tune::Params>(const std::vector<tune::Trial>&)>&
          propose) = 0;

  virtual void heartbeat(int64_t trial_id) = 0;
  // Replaces a running trial's attrs (e.g. the pid of the process running it); no-op otherwise.
  // Optional for an engine: without it, a dead process's trial waits for stale_seconds.
  virtual void set_running_attrs(int64_t /*trial_id*/, const std::string& /*attrs_json*/) {}
  virtual void report_intermediate(int64_t trial_id, int step, double value) = 0;
  // Finishes a running trial (value, values, seconds, joules, energy, attrs_json, state taken
  // from `result`). Finishing a trial that is no longer running throws StoreError.
  virtual void finish_trial(int64_t trial_id, const tune::Trial& result) = 0;
  // Marks running trials whose heartbeat is older than `stale_seconds` as failed; returns them.
  virtual std::vector<tune::Trial> fail_stale_trials(int64_t study_id, double stale_seconds) = 0;
};

// "sqlite:PATH" (or a bare path ending in .db/.sqlite), "postgresql://..." ; InputError otherwise.
// With create_if_missing false (listing commands), a missing SQLite file is an InputError.
std::unique_ptr<Storage> open_storage(const std::string& url, bool create_if_missing = true);

}  // namespace greentune::store
