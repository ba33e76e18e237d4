#include "greentune/report/spread_curves.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "greentune/report/stats.hpp"
#include "greentune/report/uncertainty.hpp"

namespace greentune::report {
namespace {

StepCurve best_against(const std::vector<std::optional<double>>& values,
                       const std::vector<double>& xs, bool maximize) {
  StepCurve curve;
  auto best = best_so_far(values, maximize);
  for (size_t i = 0; i < best.size() && i < xs.size(); ++i) {
    if (!best[i] || !std::isfinite(xs[i])) continue;
    // Equal x (a round that cost nothing): the later best replaces the earlier.
    if (!curve.x.empty() && xs[i] <= curve.x.back()) {
      curve.best.back() = *best[i];
      continue;
    }
    curve.x.push_back(xs[i]);
    curve.best.push_back(*best[i]);
  }
  return curve;
}

// The curve's value at x: its last step at or before x.
std::optional<double> value_at(const StepCurve& curve, double x) {
  auto it = std::upper_bound(curve.x.begin(), curve.x.end(), x);
  if (it == curve.x.begin()) return std::nullopt;
  return curve.best[static_cast<size_t>(it - curve.x.begin()) - 1];
}

}  // namespace

StepCurve best_by_round(const std::vector<std::optional<double>>& values, bool maximize) {
  std::vector<double> rounds;
  for (size_t i = 0; i < values.size(); ++i) rounds.push_back(static_cast<double>(i + 1));
  return best_against(values, rounds, maximize);
}

StepCurve best_by_joules(const std::vector<std::optional<double>>& values,
                         const std::vector<double>& joules, bool maximize) {
  std::vector<double> cumulative;
  double sum = 0;
  for (double j : joules) {
    if (std::isfinite(j)) sum += j;
    cumulative.push_back(sum);
  }
  return best_against(values, cumulative, maximize);
}

Spread spread_over(const std::vector<StepCurve>& curves) {
  Spread spread;
  spread.studies = curves.size();
  if (curves.empty()) return spread;
  double from = -INFINITY, to = INFINITY;
  for (const auto& curve : curves) {
    if (curve.x.empty()) return spread;
    from = std::max(from, curve.x.front());
    to = std::min(to, curve.x.back());
  }
  if (from > to) return spread;
  std::set<double> xs;
  for (const auto& curve : curves)
    for (double x : curve.x)
      if (x >= from && x <= to) xs.insert(x);
  for (double x : xs) {
    std::vector<double> at;
    for (const auto& curve : curves) at.push_back(*value_at(curve, x));
    auto q = quartiles(at);
    spread.median.push_back({x, q.median});
    spread.band.push_back({q.min, q.max});
  }
  return spread;
}

}  // namespace greentune::report
