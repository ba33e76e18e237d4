#include "greentune/tune/hypervolume.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {

namespace {

using Points = std::vector<std::vector<double>>;

void check_sizes(const Points& points, const std::vector<double>& reference) {
  if (reference.empty()) throw InputError("hypervolume: the reference point has no coordinates");
  for (double r : reference)
    if (!std::isfinite(r))
      throw InputError(fmt::format("hypervolume: reference coordinate {} is not finite", r));
  for (size_t i = 0; i < points.size(); ++i)
    if (points[i].size() != reference.size())
      throw InputError(fmt::format("hypervolume: point {} has {} objectives, the reference {}", i,
                                   points[i].size(), reference.size()));
}

// The points that dominate some volume below the reference: finite and strictly below it.
Points inside(const Points& points, const std::vector<double>& reference) {
  Points kept;
  for (const auto& p : points) {
    bool ok = true;
    for (size_t d = 0; d < reference.size() && ok; ++d)
      ok = std::isfinite(p[d]) && p[d] < reference[d];
    if (ok) kept.push_back(p);
  }
  return kept;
}

// Weak dominance over the first k coordinates.
bool weakly_dominates(const std::vector<double>& a, const std::vector<double>& b, size_t k) {
  for (size_t d = 0; d < k; ++d)
    if (a[d] > b[d]) return false;
  return true;
}

// The points of `points` that no other one weakly dominates in the first k coordinates, one copy
// of each duplicate: what is left decides the volume and keeps the recursion small.
Points prune(const Points& points, size_t k) {
  Points kept;
  for (size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j) {
      if (j == i || !weakly_dominates(points[j], points[i], k)) continue;
      // Equal in the first k coordinates: the earlier one stands for both.
      dominated = !weakly_dominates(points[i], points[j], k) || j < i;
    }
    if (!dominated) kept.push_back(points[i]);
  }
  return kept;
}

void sort_by(Points& points, size_t coordinate) {
  std::sort(points.begin(), points.end(),
            [coordinate](const auto& a, const auto& b) { return a[coordinate] < b[coordinate]; });
}

// Volume over the first k coordinates; every point is strictly below the reference.
double volume(Points points, const std::vector<double>& reference, size_t k) {
  if (points.empty()) return 0;
  if (k == 1) {
    double low = reference[0];
    for (const auto& p : points) low = std::min(low, p[0]);
    return reference[0] - low;
  }
  if (k == 2) {
    std::sort(points.begin(), points.end());
    double total = 0, ceiling = reference[1];
    for (const auto& p : points) {
      if (p[1] >= ceiling) continue;
      total += (reference[0] - p[0]) * (ceiling - p[1]);
      ceiling = p[1];
    }
    return total;
  }
  sort_by(points, k - 1);
  double total = 0;
  Points active;
  for (size_t i = 0; i < points.size();) {
    const double level = points[i][k - 1];
    while (i < points.size() && points[i][k - 1] == level) active.push_back(points[i++]);
    const double next = i < points.size() ? points[i][k - 1] : reference[k - 1];
    active = prune(active, k - 1);
    total += volume(active, reference, k - 1) * (next - level);
  }
  return total;
}

// Appends the boxes of the non-dominated region over the first k coordinates; the coordinates
// from k on are already set in `box` by the slices above.
void collect_boxes(Points points, const std::vector<double>& reference, size_t k, Box& box,
                   std::vector<Box>& out) {
  const double minus_infinity = -std::numeric_limits<double>::infinity();
  if (k == 1) {
    double upper = reference[0];
    for (const auto& p : points) upper = std::min(upper, p[0]);
    box.lower[0] = minus_infinity;
    box.upper[0] = upper;
    out.push_back(box);
    return;
  }
  sort_by(points, k - 1);
  // Below the lowest point in this coordinate nothing is dominated.
  box.lower[k - 1] = minus_infinity;
  box.upper[k - 1] = points.empty() ? reference[k - 1] : points.front()[k - 1];
  collect_boxes({}, reference, k - 1, box, out);
  Points active;
  for (size_t i = 0; i < points.size();) {
    const double level = points[i][k - 1];
    while (i < points.size() && points[i][k - 1] == level) active.push_back(points[i++]);
    const double next = i < points.size() ? points[i][k - 1] : reference[k - 1];
    active = prune(active, k - 1);
    box.lower[k - 1] = level;
    box.upper[k - 1] = next;
    collect_boxes(active, reference, k - 1, box, out);
  }
}

}  // namespace

double hypervolume(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& reference) {
  check_sizes(points, reference);
  const size_t m = reference.size();
  return volume(prune(inside(points, reference), m), reference, m);
}

std::vector<Box> non_dominated_boxes(const std::vector<std::vector<double>>& points,
                                     const std::vector<double>& reference) {
  check_sizes(points, reference);
  const size_t m = reference.size();
  Box box{std::vector<double>(m), std::vector<double>(m)};
  std::vector<Box> out;
  collect_boxes(prune(inside(points, reference), m), reference, m, box, out);
  return out;
}

double hypervolume_improvement(const std::vector<Box>& boxes, const std::vector<double>& y) {
  double total = 0;
  for (const auto& box : boxes) {
    double v = 1;
    for (size_t d = 0; d < y.size() && v > 0; ++d)
      v *= std::max(0.0, box.upper[d] - std::max(y[d], box.lower[d]));
    total += v;
  }
  return total;
}

}  // namespace greentune::tune
