#include "greentune/tune/asha_pruner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {

namespace {

// Whether a rung at `step` fits below the full length: its survivors must run at least `reduction`
// times as long again (asha_pruner.hpp says why). Without a full length (0) rungs go on.
bool rung_fits(int64_t step, int max_step, int reduction) {
  return max_step <= 0 || step * reduction <= max_step;
}

// The rungs a curve crossed with its last report: steps in (previous report, last report].
std::vector<std::pair<int, int>> rungs_crossed(const Curve& curve, int min_step, int max_step,
                                               int reduction) {
  std::vector<std::pair<int, int>> crossed;  // (rung index, rung step)
  const auto& points = curve.points;
  const int last = points.back().step;
  const int previous =
      points.size() > 1 ? points[points.size() - 2].step : std::numeric_limits<int>::min();
  int64_t step = min_step;
  for (int k = 0; step <= last && rung_fits(step, max_step, reduction); ++k) {
    if (step > previous) crossed.emplace_back(k, static_cast<int>(step));
    step *= reduction;
  }
  return crossed;
}

}  // namespace

AshaPruner::AshaPruner(int min_step, int max_step, int reduction, int min_peers)
    : min_step_(min_step), max_step_(max_step), reduction_(reduction), min_peers_(min_peers) {
  if (min_step < 1 || reduction < 2 || max_step < 0 || max_step > kMaxPrunerSteps ||
      min_peers < 0 || min_peers > kMaxMinPeers)
    throw InputError(fmt::format(
        "asha pruner: expected min_step >= 1, reduction >= 2, max_step from 0 to {} and "
        "min_peers from 0 to {}, got min_step = {}, reduction = {}, max_step = {}, min_peers = {}",
        kMaxPrunerSteps, kMaxMinPeers, min_step, reduction, max_step, min_peers));
  if (max_step_ > 0)
    for (int64_t step = min_step_; rung_fits(step, max_step_, reduction_); step *= reduction_)
      rungs_.push_back(static_cast<int>(step));
}

PruneDecision AshaPruner::decide(const PruneInput& input) const {
  return decide_among(input, [](const Curve&) { return true; });
}

PruneDecision AshaPruner::decide_among(const PruneInput& input,
                                       const std::function<bool(const Curve&)>& competes) const {
  const auto& current = input.current;
  if (current.points.empty()) return {false, "no report yet"};
  const int step = current.points.back().step;
  const auto crossed = rungs_crossed(current, min_step_, max_step_, reduction_);
  if (crossed.empty()) return {false, fmt::format("step {}: no rung to judge", step)};

  const double value = current.points.back().value;
  const double mine = goodness(value, input.direction);
  std::string reason;
  for (const auto& [rung, rung_step] : crossed) {
    if (std::isnan(value))
      return {true, fmt::format("rung {} (step {}): the report at step {} is NaN", rung, rung_step,
                                step)};
    std::vector<double> at_rung{mine};
    for (const auto& curve : input.history) {
      if (curve.trial_number == current.trial_number || !competes(curve)) continue;
      if (const auto* p = point_at_or_after(curve, rung_step))
        at_rung.push_back(goodness(p->value, input.direction));
    }
    const size_t n = at_rung.size();
    if (n - 1 < static_cast<size_t>(min_peers_)) {
      reason =
          fmt::format("rung {} (step {}): {} other trial(s) reported there; it judges from {} on",
                      rung, rung_step, n - 1, min_peers_);
      continue;
    }
    const size_t kept = std::max<size_t>(1, n / static_cast<size_t>(reduction_));
    std::nth_element(at_rung.begin(), at_rung.begin() + static_cast<std::ptrdiff_t>(kept - 1),
                     at_rung.end(), std::greater<>());
    const double cutoff = at_rung[kept - 1];
    const auto summary =
        fmt::format("rung {} (step {}): {:.6g} against the cut-off {:.6g} (best {} of {})", rung,
                    rung_step, value, from_goodness(cutoff, input.direction), kept, n);
    if (mine < cutoff) return {true, summary};
    reason = summary;
  }
  return {false, reason};
}

}  // namespace greentune::tune
