#include "greentune/tune/pareto.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {

namespace {

bool all_finite(const std::vector<double>& point) {
  return std::all_of(point.begin(), point.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || !all_finite(a) || !all_finite(b)) return false;
  bool strictly = false;
  for (size_t d = 0; d < a.size(); ++d) {
    if (a[d] > b[d]) return false;
    if (a[d] < b[d]) strictly = true;
  }
  return strictly;
}

std::vector<size_t> pareto_front_indices(const std::vector<std::vector<double>>& points) {
  std::vector<size_t> front;
  for (size_t i = 0; i < points.size(); ++i) {
    if (!all_finite(points[i])) continue;
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j)
      dominated = j != i && dominates(points[j], points[i]);
    if (!dominated) front.push_back(i);
  }
  return front;
}

std::vector<std::vector<double>> to_minimisation(const std::vector<std::vector<double>>& points,
                                                 const std::vector<Direction>& directions) {
  std::vector<std::vector<double>> out = points;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].size() != directions.size())
      throw InputError(
          fmt::format("objective vector {} has {} values, expected {} (one per direction)", i,
                      out[i].size(), directions.size()));
    for (size_t d = 0; d < directions.size(); ++d)
      if (directions[d] == Direction::maximize) out[i][d] = -out[i][d];
  }
  return out;
}

std::optional<size_t> knee_point_index(const std::vector<std::vector<double>>& front) {
  if (front.empty()) return std::nullopt;
  const size_t m = front.front().size();
  std::vector<double> low(m, std::numeric_limits<double>::infinity());
  std::vector<double> high(m, -std::numeric_limits<double>::infinity());
  for (const auto& p : front) {
    if (p.size() != m || !all_finite(p)) continue;
    for (size_t d = 0; d < m; ++d) {
      low[d] = std::min(low[d], p[d]);
      high[d] = std::max(high[d], p[d]);
    }
  }
  std::optional<size_t> knee;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < front.size(); ++i) {
    if (front[i].size() != m || !all_finite(front[i])) continue;
    double sum = 0;
    for (size_t d = 0; d < m; ++d)
      sum += high[d] > low[d] ? (front[i][d] - low[d]) / (high[d] - low[d]) : 0.0;
    if (sum < best) {
      best = sum;
      knee = i;
    }
  }
  return knee;
}

}  // namespace greentune::tune
