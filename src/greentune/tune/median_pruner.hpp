#pragma once
// Optuna's MedianPruner, decided from the store: a trial stops when its best value so far is worse
// than the median of the complete trials' values at the same step.
//
// - Warm-up: nothing is pruned until `warmup_trials` trials are complete (Optuna's
//   n_startup_trials), nor before `min_step` (n_warmup_steps), nor at or after `max_step`.
// - The current trial is judged on its best value so far (over all its reports up to now), not on
//   the value at this step alone, so one noisy epoch does not stop a trial that was doing well;
//   the others are judged at exactly this step (their value at it).
// - Only complete trials are compared: pruned trials were stopped for being bad, and running ones
//   have not proven anything yet (Optuna's rule). Complete trials without a report at this step
//   (gaps) are left out; if none has one, the trial is kept.
// - The median of an even count is the mean of the two middle values. A tie with the median
//   keeps the trial (only strictly worse prunes).
// - NaN: a trial whose last report is NaN is pruned (it has diverged; its best so far would hide
//   that, where Optuna would keep it); other trials' NaN reports count as the worst value in the
//   median (Optuna leaves them out, which raises the median).
#include "greentune/tune/pruner.hpp"

namespace greentune::tune {

class MedianPruner : public Pruner {
 public:
  // max_step 0: no full length known (never stops judging).
  MedianPruner(int min_step, int max_step, int warmup_trials);
  std::string name() const override { return "median"; }
  PruneDecision decide(const PruneInput& input) const override;

 private:
  int min_step_;
  int max_step_;
  int warmup_trials_;
};

}  // namespace greentune::tune
