#pragma once
// Hyperband as Optuna's HyperbandPruner runs it: several ASHA brackets that start pruning at
// different steps, each trial in one bracket, judged only against the trials of its bracket.
//
// - Brackets: b = 0 .. B-1, where B counts the steps min_step * reduction^b up to max_step
//   (floor(log_reduction(max_step / min_step)) + 1). Bracket b has its first rung at
//   min_step * reduction^b: bracket 0 prunes most eagerly, the last one least (or never, when its
//   first rung is past max_step / reduction, ASHA's last rung: plain full-length trials, as in Li
//   et al.'s Hyperband).
// - Trials per bracket follow Optuna's allocation: bracket b gets a weight of
//   ceil(B * reduction^s / (s + 1)) with s = B - 1 - b, so the eager brackets get more trials.
// - Assignment is a pure function of the trial number: a fixed cycle of sum(weights) slots,
//   interleaved by smooth weighted round-robin, indexed by trial number modulo its length. Every
//   worker therefore puts a trial in the same bracket, and small studies still visit every
//   bracket early.
#include "greentune/tune/asha_pruner.hpp"

namespace greentune::tune {

class HyperbandPruner : public Pruner {
 public:
  // min_step >= 1, max_step >= min_step, reduction >= 2; min_peers as AshaPruner's, per bracket.
  HyperbandPruner(int min_step, int max_step, int reduction, int min_peers = 0);
  std::string name() const override { return "hyperband"; }
  PruneDecision decide(const PruneInput& input) const override;

  int brackets() const { return static_cast<int>(brackets_.size()); }
  int bracket_of(int trial_number) const;
  const AshaPruner& bracket(int index) const { return brackets_.at(static_cast<size_t>(index)); }
  const std::vector<int>& weights() const { return weights_; }

 private:
  std::vector<AshaPruner> brackets_;
  std::vector<int> weights_;
  std::vector<int> cycle_;  // bracket per slot
};

}  // namespace greentune::tune
