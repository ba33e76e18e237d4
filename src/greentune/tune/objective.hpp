#pragma once
// What a study optimises: any callable that takes the trial's parameters and a TrialContext and
// returns the value(s) (and state, time, energy, details). The built-in benchmark functions and
// the trainer (nn/train_objective.hpp) are objectives like any user lambda.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/space.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

struct ObjectiveResult {
  // complete | diverged | failed | pruned (stopped because TrialContext::should_prune() said so)
  TrialState state = TrialState::complete;
  std::vector<double> values;  // one per objective; single-objective: {value}
  double seconds = 0;          // 0: the study uses the wall time of the call
  std::vector<DomainEnergy> energy;
  double joules = 0;  // total; 0: the sum of `energy` (set it when subzones are listed too)
  std::string error;  // why the trial failed, diverged or was pruned
  RunConditions conditions;
  std::optional<TrainingFigures> training;
  nlohmann::json attributes = nlohmann::json::object();  // user-defined details
};

// Asked for when a trial ends without returning (an exception, Ctrl-C): what it has used so far.
// It may be called from another thread while the objective runs, until the objective returns or
// clears it, so it must capture by value or refer only to what outlives the trial (a Monitor).
using UsageProbe = std::function<Usage()>;

// Handed to the objective while its trial runs.
class TrialContext {
 public:
  virtual ~TrialContext() = default;
  virtual int number() const = 0;  // 1-based, as stored
  virtual const Params& params() const = 0;
  // An intermediate report, stored at once. seconds or joules left NaN are filled in where the
  // context knows them (the study: seconds since the trial started; `measured`: joules).
  virtual void report(const IntermediateReport& report) = 0;
  // Shorthand for a single-objective value with nothing measured by the objective itself.
  void report(int step, double value);
  // Should the trial stop now? Ask after each report; the answer is about the trial as of its
  // latest report. The study decides from its store (StudyOptions::pruner and ::budget): the
  // pruner's verdict on the trial's learning curve, then the energy budgets. It reads the store
  // once per report however often it is asked, and once it says true it keeps saying true.
  //
  // The contract, for every objective (the train objective, a command that reports lines, a
  // user's lambda): when this returns true, stop the work as soon as possible (a command objective
  // sends its program SIGTERM, then SIGKILL after a grace period), then return an ObjectiveResult
  // with state `pruned` and what the trial used (seconds, energy; values may stay empty). Keep
  // the reports already made: they are the pruned trial's curve. The study turns that result into
  // what the verdict means: a `pruned` trial (a finished round, the pruner's reason as its error),
  // or a `failed` one when an energy budget stopped it. An objective that returns `complete`
  // after a true answer is stored as complete (it finished anyway). Never blocks on other
  // workers, and never throws: when the store cannot be read it says false (go on) and asks the
  // store again at the next report.
  // The default (contexts without a study) never stops a trial.
  virtual bool should_prune() const { return false; }
  // Sets (or, with an empty probe, clears) how to measure the trial so far if it is interrupted.
  virtual void set_usage_probe(UsageProbe probe) = 0;
};

using Objective = std::function<ObjectiveResult(const Params& params, TrialContext& context)>;

// branin | hartmann6 (minimised); InputError naming the objective otherwise.
Objective benchmark_objective(const std::string& name);

}  // namespace greentune::tune
