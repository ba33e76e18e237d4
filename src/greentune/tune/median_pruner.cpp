#include "greentune/tune/median_pruner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {

MedianPruner::MedianPruner(int min_step, int max_step, int warmup_trials)
    : min_step_(min_step), max_step_(max_step), warmup_trials_(warmup_trials) {
  if (min_step < 1 || max_step < 0 || warmup_trials < 0)
    throw InputError(fmt::format(
        "median pruner: expected min_step >= 1, max_step >= 0 and warmup_trials >= 0, got "
        "min_step = {}, max_step = {}, warmup_trials = {}",
        min_step, max_step, warmup_trials));
}

PruneDecision MedianPruner::decide(const PruneInput& input) const {
  const auto& points = input.current.points;
  if (points.empty()) return {false, "no report yet"};
  const int step = points.back().step;
  if (step < min_step_)
    return {false, fmt::format("step {} is before min_step {}", step, min_step_)};
  if (max_step_ > 0 && step >= max_step_)
    return {false, fmt::format("step {} is the full length ({})", step, max_step_)};

  int complete = 0;
  std::vector<double> at_step;
  for (const auto& curve : input.history) {
    if (curve.trial_number == input.current.trial_number || curve.state != TrialState::complete)
      continue;
    ++complete;
    const auto* p = point_at_or_after(curve, step);
    if (p != nullptr && p->step == step) at_step.push_back(goodness(p->value, input.direction));
  }
  if (complete < warmup_trials_)
    return {false, fmt::format("warm-up: {} of {} trials complete", complete, warmup_trials_)};

  if (std::isnan(points.back().value))
    return {true, fmt::format("step {}: the report is NaN", step)};
  double best = -std::numeric_limits<double>::infinity();
  for (const auto& p : points) best = std::max(best, goodness(p.value, input.direction));

  if (at_step.empty())
    return {false, fmt::format("step {}: no complete trial reported this step", step)};
  const size_t compared = at_step.size();
  const double m = median(std::move(at_step));
  const double best_value = from_goodness(best, input.direction);
  const double median_value = from_goodness(m, input.direction);
  if (best < m)  // false for a NaN median (opposite infinities in the middle): keep
    return {true, fmt::format("step {}: best so far {:.6g} is worse than the median {:.6g} of {} "
                              "complete trials",
                              step, best_value, median_value, compared)};
  return {false, fmt::format("step {}: best so far {:.6g} is not worse than the median {:.6g}",
                             step, best_value, median_value)};
}

}  // namespace greentune::tune
