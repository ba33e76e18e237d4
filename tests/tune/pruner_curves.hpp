#pragma once
// Hand-made learning curves for the pruner tests.
#include <cmath>
#include <limits>
#include <vector>

#include "greentune/tune/pruner.hpp"

namespace greentune::tune::testing {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Reports at steps 1, 2, 3, ...
inline Curve curve(int number, TrialState state, const std::vector<double>& values) {
  std::vector<CurvePoint> points;
  for (size_t i = 0; i < values.size(); ++i) points.push_back({static_cast<int>(i) + 1, values[i]});
  return make_curve(number, state, std::move(points));
}

// Reports at the given steps.
inline Curve curve_at(int number, TrialState state, const std::vector<CurvePoint>& points) {
  return make_curve(number, state, points);
}

inline PruneDecision decide(const Pruner& pruner, const Curve& current,
                            const std::vector<Curve>& history,
                            Direction direction = Direction::maximize) {
  return pruner.decide(PruneInput{current, history, direction});
}

}  // namespace greentune::tune::testing
