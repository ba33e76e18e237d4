#include "greentune/tune/pruner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace greentune::tune {

Curve make_curve(int trial_number, TrialState state, std::vector<CurvePoint> points) {
  std::stable_sort(points.begin(), points.end(),
                   [](const CurvePoint& a, const CurvePoint& b) { return a.step < b.step; });
  std::vector<CurvePoint> unique;
  unique.reserve(points.size());
  for (const auto& p : points) {
    if (!unique.empty() && unique.back().step == p.step)
      unique.back() = p;  // stable sort kept report order: the later one wins
    else
      unique.push_back(p);
  }
  return Curve{trial_number, state, std::move(unique)};
}

Curve curve_of(const Trial& trial) {
  std::vector<CurvePoint> points;
  points.reserve(trial.intermediate.size());
  // Multi-objective studies prune on the first objective; a report without one counts as NaN.
  for (const auto& report : trial.intermediate)
    points.push_back({report.step, report.values.empty() ? std::numeric_limits<double>::quiet_NaN()
                                                         : report.values.front()});
  return make_curve(trial.number, trial.state, std::move(points));
}

std::vector<Curve> curves_from_trials(const std::vector<Trial>& trials) {
  std::vector<Curve> curves;
  curves.reserve(trials.size());
  for (const auto& trial : trials) curves.push_back(curve_of(trial));
  return curves;
}

const CurvePoint* point_at_or_after(const Curve& curve, int step) {
  auto it = std::lower_bound(curve.points.begin(), curve.points.end(), step,
                             [](const CurvePoint& p, int s) { return p.step < s; });
  return it == curve.points.end() ? nullptr : &*it;
}

double goodness(double value, Direction direction) {
  if (std::isnan(value)) return -std::numeric_limits<double>::infinity();
  return direction == Direction::maximize ? value : -value;
}

double from_goodness(double goodness_value, Direction direction) {
  return direction == Direction::maximize ? goodness_value : -goodness_value;
}

PruneDecision decide_from_trials(const Pruner& pruner, const std::vector<Trial>& history,
                                 int current_number, Direction direction) {
  const auto curves = curves_from_trials(history);
  for (const auto& curve : curves)
    if (curve.trial_number == current_number)
      return pruner.decide(PruneInput{curve, curves, direction});
  return {};
}

std::optional<double> pruned_trial_value(const Curve& pruned,
                                         const std::vector<double>& complete_values,
                                         Direction direction) {
  if (pruned.points.empty() || !std::isfinite(pruned.points.back().value)) return std::nullopt;
  double value = pruned.points.back().value;
  for (double complete : complete_values) {
    if (!std::isfinite(complete)) continue;
    if (goodness(value, direction) > goodness(complete, direction)) value = complete;
  }
  return value;
}

}  // namespace greentune::tune
