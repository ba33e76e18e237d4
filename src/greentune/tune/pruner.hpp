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

// The middle value of a non-empty list; for an even count the mean of the two middle ones (NaN
// when they are opposite infinities).
double median(std::vector<double> values);

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

// A complete trial as the sampler's reference for pruned ones: its curve and its final value.
struct CompleteCurve {
  Curve curve;
  double value = 0;
};

// What a pruned trial tells the sampler (Bayesian optimisation): an estimate of the value it would
// have reached at full length, a lower-fidelity observation put on the complete trials' scale.
// Why not its last report as it is: a report at step 1 of 9 is far below any final value, so
// the model would see every pruned trial as a disaster and learn only from the few complete
// ones (with ASHA, sometimes one); why not a flat stand-in: a near miss must differ from a
// collapse.
// - Pruned at step s with last report v: v + the median gain of the complete trials from their
//   first report at or after s to their final value. The median, so one late bloomer does not
//   set every pruned trial's prospects; the complete trials are the reference because only they
//   show what the remaining steps bring (survivors: a biased, optimistic sample, which the cap
//   below bounds).
// - Never better than the best complete trial: it was stopped for being behind, so it must not
//   become the point the model believes best (it is never the incumbent either).
// - No complete trial with a finite value and a report at or after s (a command objective without
//   reports, or none complete yet): the last report as it is, never better than the worst complete
//   trial, if any (the report comes from fewer steps and the pruner judged it behind).
// std::nullopt when there is no finite last report: the sampler then treats the trial as failed.
std::optional<double> pruned_trial_value(const Curve& pruned,
                                         const std::vector<CompleteCurve>& complete,
                                         Direction direction);

}  // namespace greentune::tune
