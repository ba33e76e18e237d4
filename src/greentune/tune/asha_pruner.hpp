#pragma once
// Asynchronous successive halving (ASHA; Li et al., MLSys 2020), decided from the store.
//
// Rungs sit at steps min_step * reduction^k (k = 0, 1, ...) below max_step. A trial is judged once
// at each rung, at its first report at or after the rung's step (so a curve with gaps is judged
// when it passes the rung). Its rung value is that report; another trial's rung value is likewise
// its first report at or after the rung's step. The trial continues if it is in the top
// 1/reduction of the trials that have reached the rung so far, itself included: with n of them,
// the best max(1, floor(n / reduction)) continue.
//
// "Asynchronous" means the cut is made with whoever has reported so far; nobody waits for a rung
// to fill. With fewer than `reduction` trials at a rung, floor(n / reduction) is 0 and only a trial
// at least as good as every other one there continues (Optuna's SuccessiveHalvingPruner rule: a
// trial cannot be paused and promoted later, so the first one through a rung always continues).
//
// - Trials in every state count at a rung (running, complete, pruned, failed): a pruned trial
//   reached the rung, and was beaten there.
// - Ties at the cut-off continue (a trial as good as the last one kept is kept).
// - NaN: a trial whose rung value is NaN is pruned; others' NaN rung values rank last.
// - Nothing is judged before min_step or at max_step (the full length: the trial is done).
#include <functional>

#include "greentune/tune/pruner.hpp"

namespace greentune::tune {

class AshaPruner : public Pruner {
 public:
  // max_step 0: no full length known (rungs go on). min_step >= 1, reduction >= 2.
  AshaPruner(int min_step, int max_step, int reduction);
  std::string name() const override { return "asha"; }
  PruneDecision decide(const PruneInput& input) const override;

  const std::vector<int>& rungs() const { return rungs_; }  // empty with max_step 0

  // The ASHA decision among the history's curves for which `competes` is true (Hyperband uses it
  // to keep a bracket's trials among themselves).
  PruneDecision decide_among(const PruneInput& input,
                             const std::function<bool(const Curve&)>& competes) const;

 private:
  int min_step_;
  int max_step_;
  int reduction_;
  std::vector<int> rungs_;
};

}  // namespace greentune::tune
