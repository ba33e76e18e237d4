#pragma once
// What a study optimises: any callable that takes the trial's parameters and a TrialContext and
// returns the value (and state, time, energy, details). The built-in benchmark functions and the
// trainer (nn/train_objective.hpp) are objectives like any user lambda.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/space.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

struct ObjectiveResult {
  TrialState state = TrialState::complete;  // complete | diverged | failed | pruned
  std::optional<double> value;
  std::vector<double> values;  // further objectives, if any
  double seconds = 0;          // 0: the study uses the wall time of the call
  std::vector<TrialEnergy> energy;
  double joules = 0;  // total; 0: the sum of `energy` (set it when subzones are listed too)
  std::string attrs_json = "{}";  // details (test accuracy, per-epoch records, error text)
};

// Handed to the objective while its trial runs.
class TrialContext {
 public:
  virtual ~TrialContext() = default;
  virtual int number() const = 0;  // 0-based round
  virtual const Params& params() const = 0;
  // An intermediate value (e.g. validation accuracy after epoch `step`); stored at once.
  virtual void report(int step, double value) = 0;
  // Pruners will answer here; for now no trial is pruned.
  virtual bool should_prune() const { return false; }
};

using Objective = std::function<ObjectiveResult(const Params& params, TrialContext& context)>;

// branin | hartmann6 (minimised); InputError naming the objective otherwise.
Objective benchmark_objective(const std::string& name);

}  // namespace greentune::tune
