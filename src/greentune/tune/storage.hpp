#pragma once
// The port through which a study keeps its trials. `tune` owns it; store/ implements it (SQLite
// embedded, PostgreSQL shared; store/open_storage.hpp picks one from a URL) and tests may too.
// Samplers are stateless: they read the history from here, so many workers on many machines can
// share one study. Every trial is handed over and read back as the typed record (trial.hpp).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "greentune/common/error.hpp"
#include "greentune/tune/space.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

// finish_trial on a trial that is no longer running (e.g. failed as stale by another worker).
class TrialNotRunningError : public StoreError {
 public:
  using StoreError::StoreError;
};

struct StudyInfo {
  int64_t id = 0;
  std::string name;
  Direction direction = Direction::maximize;  // the first objective's (single-objective code)
  // One per objective (stores always fill it; study_objectives.hpp's directions_of reads a
  // StudyInfo without it as {direction}).
  std::vector<Direction> directions;
  // What the objectives are, by name (metrics.hpp); empty: the objective's default metrics.
  std::vector<std::string> metrics;
  std::string strategy;            // grid | random | bayes | ...
  std::string objective;           // train | branin | hartmann6 | ...
  std::string space_json;          // the search space as configured; a changed space is refused
  std::string config_json = "{}";  // the rest of the study's configuration, for the report
  std::string group;               // experiment this study belongs to ("" if none)
};

// Who runs a claimed trial; stored with the claim in the same transaction, so a process killed
// right after claiming is recognised as dead by its pid.
struct TrialOwner {
  std::string host;
  int64_t pid = 0;
  std::string pid_namespace;  // /proc/self/ns/pid; "" when unknown (the pid is then not judged)
};

// Sees every trial of the study (running ones included), returns the next point or std::nullopt
// when the space is exhausted.
using ProposeFn = std::function<std::optional<Params>(const std::vector<Trial>& history)>;

class Storage {
 public:
  virtual ~Storage() = default;

  // Creates the study, or returns the existing one with this name after checking that its
  // directions, metrics, objective and space match (InputError naming the difference otherwise).
  virtual StudyInfo create_or_open_study(const StudyInfo& wanted) = 0;
  virtual std::optional<StudyInfo> find_study(const std::string& name) = 0;
  virtual std::vector<StudyInfo> studies() = 0;

  // Every trial of the study, ordered by number.
  virtual std::vector<Trial> trials(int64_t study_id) = 0;

  // Claims the next trial atomically: `propose` runs inside one write transaction, and the new
  // running trial (number = highest so far + 1, starting at 1; host, pid and pid namespace from
  // `owner`) is stored before any other process can propose. This is what keeps two workers off
  // one grid point. `propose` returning std::nullopt: no trial is created.
  virtual std::optional<Trial> claim_trial(int64_t study_id, const TrialOwner& owner,
                                           const ProposeFn& propose) = 0;

  virtual void heartbeat(int64_t trial_id) = 0;
  // Adds (or replaces, for the same step) a report of a running trial; StoreError otherwise.
  virtual void report_intermediate(int64_t trial_id, const IntermediateReport& report) = 0;
  // Finishes a running trial with everything `result` holds except its id, number, params, host,
  // pid and started_at (the stored ones stay). Reports in `result` are added to the stored ones,
  // its attributes merged into them, and its set conditions replace the stored ones. A failed
  // result without seconds or joules of its own keeps what the last report had used.
  // TrialNotRunningError when the trial is no longer running.
  virtual void finish_trial(int64_t trial_id, const Trial& result) = 0;
  // Marks running trials whose heartbeat is older than `stale_seconds` as failed (retry, with the
  // time and energy of their last report); returns them.
  virtual std::vector<Trial> fail_stale_trials(int64_t study_id, double stale_seconds) = 0;
};

}  // namespace greentune::tune
