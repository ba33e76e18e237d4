#pragma once
// Pruners stop hopeless trials early, from the study's learning curves. Like samplers they are
// stateless: a decision is computed from the history in the store (every trial's intermediate
// reports, running trials included) and the current trial's curve, so several workers on one study
// decide the same way, and a worker that dies mid-rung blocks nobody (its trial's reports simply
// stay in the history).
//
// Pruners see learning curves only (`Curve`), built from trials by `curves_from_trials`, so the
// decisions do not depend on how a trial record stores its reports.
//
// Conventions every pruner follows:
// - A step is a unit of work numbered from 1 (an epoch for the train objective). Curves may have
//   gaps (a command that reports every other epoch); a step reported twice keeps its last value.
// - A NaN report is the worst value there is: a trial judged on a NaN is pruned, and other trials'
//   NaN reports rank below every number.
// - Nothing is pruned before `min_step`, and nothing at or after `max_step` (the full length).
// - The decision is taken at the current trial's last report; call it after every report.
// - Multi-objective studies prune on the first objective (the one the curve carries).
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/trial.hpp"

namespace greentune::tune {

// Steps are epochs or a command's reports: far below this. The cap keeps Hyperband's bracket cycle
// (about max_step / min_step slots with reduction 2) small.
constexpr int kMaxPrunerSteps = 100000;

struct CurvePoint {
  int step = 0;
  double value = 0;  // NaN allowed (the worst value)
};

// One trial's learning curve: its reports so far, sorted by step, one point per step.
struct Curve {
  int trial_number = 0;
  TrialState state = TrialState::running;
  std::vector<CurvePoint> points;
};

// Sorts the points by step; a step given twice keeps the later point (the store's rule: a
// repeated report replaces the earlier one).
Curve make_curve(int trial_number, TrialState state, std::vector<CurvePoint> points);
// The one place that reads a trial record's reports.
Curve curve_of(const Trial& trial);
std::vector<Curve> curves_from_trials(const std::vector<Trial>& trials);

// The first point at `step` or later; nullptr if the curve has not got that far.
const CurvePoint* point_at_or_after(const Curve& curve, int step);

// A value on one "higher is better" scale: the value when maximising, its negation when
// minimising; NaN becomes -infinity (the worst).
double goodness(double value, Direction direction);
// Back to the objective's scale (for messages); -infinity stays the worst value.
double from_goodness(double goodness_value, Direction direction);

struct PruneInput {
  const Curve& current;               // the trial being decided, its reports so far
  const std::vector<Curve>& history;  // the study's trials; the current one (by number) is skipped
  Direction direction = Direction::maximize;
};

struct PruneDecision {
  bool prune = false;
  std::string reason;  // for logs and the trial's attrs, e.g. "rung 1 (step 3): ..."
};

class Pruner {
 public:
  virtual ~Pruner() = default;
  virtual std::string name() const = 0;
  // Should the current trial stop now, at its last report?
  virtual PruneDecision decide(const PruneInput& input) const = 0;
};

// Never prunes (kind = "none").
class NonePruner : public Pruner {
 public:
  std::string name() const override { return "none"; }
  PruneDecision decide(const PruneInput&) const override { return {}; }
};

// Convenience for the study: the decision for trial `current_number`, whose reports are in
// `history` (running trials included). Keeps the trial if it is not in the history.
PruneDecision decide_from_trials(const Pruner& pruner, const std::vector<Trial>& history,
                                 int current_number, Direction direction);

// What a pruned trial tells the sampler (Bayesian optimisation): its last report, the value it was
// stopped at, but never better than the worst complete trial (`complete_values`, non-finite ones
// ignored). Why: the report comes from fewer steps than a full trial, and the pruner has just
// judged the trial worse than the others at that step, so it must not rank above any trial that
// ran to the end; below them, its own value still tells a near miss from a disaster (where a flat
// "worst value" stand-in would not). With no complete trial yet it is the report as it is.
// std::nullopt when there is no finite last report: the sampler then treats the trial as failed.
std::optional<double> pruned_trial_value(const Curve& pruned,
                                         const std::vector<double>& complete_values,
                                         Direction direction);

}  // namespace greentune::tune
