#include "greentune/tune/pruner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

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

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  if (n % 2 == 1) return values[n / 2];
  const double low = values[n / 2 - 1], high = values[n / 2];
  if (low == high) return low;  // equal infinities: their mean would be fine, but keep it exact
  return low / 2 + high / 2;    // halves first: no overflow to infinity for huge finite values
}

std::optional<double> pruned_trial_value(const Curve& pruned,
                                         const std::vector<CompleteCurve>& complete,
                                         Direction direction) {
  if (pruned.points.empty() || !std::isfinite(pruned.points.back().value)) return std::nullopt;
  const CurvePoint& last = pruned.points.back();
  std::vector<double> gains;
  const CompleteCurve* best = nullptr;
  const CompleteCurve* worst = nullptr;
  for (const auto& c : complete) {
    if (!std::isfinite(c.value)) continue;
    if (best == nullptr || goodness(c.value, direction) > goodness(best->value, direction))
      best = &c;
    if (worst == nullptr || goodness(c.value, direction) < goodness(worst->value, direction))
      worst = &c;
    if (const auto* p = point_at_or_after(c.curve, last.step); p && std::isfinite(p->value))
      gains.push_back(c.value - p->value);
  }
  double value = last.value;
  const CompleteCurve* cap = worst;
  if (!gains.empty()) {
    value += median(std::move(gains));
    cap = best;
  }
  if (cap != nullptr && goodness(value, direction) > goodness(cap->value, direction))
    value = cap->value;
  return value;
}

}  // namespace greentune::tune
