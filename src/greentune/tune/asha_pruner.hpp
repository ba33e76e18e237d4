#pragma once
// Asynchronous successive halving (ASHA; Li et al., MLSys 2020), decided from the store.
//
// Rungs sit at steps min_step * reduction^k (k = 0, 1, ...) up to max_step / reduction, so a trial
// kept at a rung runs at least `reduction` times as long again, as in successive halving and
// Hyperband (whose last rung is R / reduction). A rung nearer the end saved little and judged the
// trials that had survived every cut by one noisy report: issue 9's bench (9 epochs, reduction 2)
// lost its best trials at step 8 to save one epoch each. A trial is judged once
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
// - min_peers: a rung stops nothing until at least that many other trials have reported there
//   (the trial continues with a reason saying so). Without it the first trial through a rung set
//   the bar alone, and one lucky report by an early trial stopped every later one at the high
//   rungs (2 of 8 seeds of issue 9's bench finished 1 trial of 30). Unlike Optuna's
//   bootstrap_count, which stops trials while a rung fills (they can be resumed there), this
//   lets them run: a stopped process cannot be resumed.
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
  static constexpr int kMaxMinPeers = 1000;

  // max_step 0: no full length known (rungs go on). min_step >= 1, reduction >= 2,
  // min_peers 0 to kMaxMinPeers.
  AshaPruner(int min_step, int max_step, int reduction, int min_peers = 0);
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
  int min_peers_;
  std::vector<int> rungs_;
};

}  // namespace greentune::tune
