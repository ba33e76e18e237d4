#include "greentune/tune/hypervolume.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {
namespace {

using Points = std::vector<std::vector<double>>;

// Exact hypervolume by inclusion-exclusion over every subset: the volume dominated by a subset's
// componentwise maximum, with alternating signs. Exponential, so only for a handful of points.
double inclusion_exclusion(const Points& points, const std::vector<double>& reference) {
  const size_t n = points.size(), m = reference.size();
  double total = 0;
  for (unsigned mask = 1; mask < (1u << n); ++mask) {
    std::vector<double> corner(m, -std::numeric_limits<double>::infinity());
    int count = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!(mask & (1u << i))) continue;
      ++count;
      for (size_t d = 0; d < m; ++d) corner[d] = std::max(corner[d], points[i][d]);
    }
    double v = 1;
    for (size_t d = 0; d < m; ++d) v *= std::max(0.0, reference[d] - corner[d]);
    total += count % 2 ? v : -v;
  }
  return total;
}

Points random_points(std::mt19937_64& rng, size_t n, size_t m) {
  std::uniform_real_distribution<double> u(0, 1);
  Points points(n, std::vector<double>(m));
  for (auto& p : points)
    for (auto& v : p) v = u(rng);
  return points;
}

TEST(Hypervolume, TwoObjectivesByHand) {
  // The staircase (1,3), (2,2), (3,1) under (4,4): slabs of 3x1, 2x1 and 1x1.
  const Points front{{1, 3}, {2, 2}, {3, 1}};
  EXPECT_DOUBLE_EQ(hypervolume(front, {4, 4}), 6.0);
  // Order does not matter; a dominated point adds nothing.
  EXPECT_DOUBLE_EQ(hypervolume({{3, 1}, {2.5, 2.5}, {1, 3}, {2, 2}}, {4, 4}), 6.0);
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0}}, {2, 3}), 6.0);
}

TEST(Hypervolume, DuplicatesCountOnce) {
  EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 2}, {2, 2}, {3, 1}, {1, 3}}, {4, 4}), 6.0);
  EXPECT_DOUBLE_EQ(hypervolume({{1, 1, 1}, {1, 1, 1}}, {2, 2, 2}), 1.0);
}

TEST(Hypervolume, PointsAtOrBeyondTheReferenceAddNothing) {
  const Points front{{1, 3}, {2, 2}, {3, 1}};
  Points more = front;
  more.push_back({5, 0});   // beyond in the first objective
  more.push_back({0, 4});   // on the reference in the second
  more.push_back({-1, 9});  // far beyond in the second
  more.push_back({std::nan(""), 0});
  EXPECT_DOUBLE_EQ(hypervolume(more, {4, 4}), 6.0);
  EXPECT_DOUBLE_EQ(hypervolume({{5, 5}}, {4, 4}), 0.0);
}

TEST(Hypervolume, EmptyFrontHasNoVolume) {
  EXPECT_DOUBLE_EQ(hypervolume({}, {1, 1}), 0.0);
  EXPECT_DOUBLE_EQ(hypervolume({}, {1, 1, 1, 1}), 0.0);
  EXPECT_TRUE(non_dominated_boxes({}, {1, 2}).size() == 1);
}

TEST(Hypervolume, ThreeObjectivesByHand) {
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 0}}, {1, 2, 3}), 6.0);
  // Two half-cubes overlapping in a quarter: 0.5 + 0.5 - 0.25.
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 0.5}, {0, 0.5, 0}}, {1, 1, 1}), 0.75);
  // Three half-cubes: 3 * 0.5 - 3 * 0.25 + 0.125.
  EXPECT_DOUBLE_EQ(hypervolume({{0.5, 0, 0}, {0, 0.5, 0}, {0, 0, 0.5}}, {1, 1, 1}), 0.875);
  // A staircase in the first two objectives at two heights: the lower slab (z in [0, 1]) holds
  // only (1,1,0) -> 3*3*1; the upper (z in [1, 4]) holds the union with (0,2,1) -> 3*3 + 4*2 - 3*2.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 1, 0}, {0, 2, 1}}, {4, 4, 4}), 9.0 + 3 * 11.0);
}

TEST(Hypervolume, MatchesInclusionExclusionInThreeAndFourObjectives) {
  std::mt19937_64 rng(7);
  for (size_t m : {2u, 3u, 4u}) {
    for (int rep = 0; rep < 20; ++rep) {
      const auto points = random_points(rng, 2 + static_cast<size_t>(rep % 8), m);
      const std::vector<double> reference(m, 1.1);
      EXPECT_NEAR(hypervolume(points, reference), inclusion_exclusion(points, reference), 1e-12)
          << "m=" << m << " rep=" << rep;
    }
  }
}

TEST(Hypervolume, WrongSizesAreRefused) {
  EXPECT_THROW(hypervolume({{1, 2, 3}}, {4, 4}), InputError);
  EXPECT_THROW(hypervolume({{1, 2}}, {}), InputError);
  EXPECT_THROW(hypervolume({{1, 2}}, {4, std::numeric_limits<double>::infinity()}), InputError);
}

TEST(NonDominatedBoxes, TwoObjectivesGiveOneBoxPerPointPlusOne) {
  const auto boxes = non_dominated_boxes({{1, 3}, {2, 2}, {3, 1}, {2.5, 2.5}}, {4, 4});
  EXPECT_EQ(boxes.size(), 4u);
}

// The boxes and the dominated region tile the reference box: with every box cut at a floor below
// all points, box volumes + hypervolume = volume of [floor, reference].
TEST(NonDominatedBoxes, TileTheReferenceBoxWithTheDominatedRegion) {
  std::mt19937_64 rng(11);
  for (size_t m : {2u, 3u, 4u}) {
    for (int rep = 0; rep < 10; ++rep) {
      const auto points = random_points(rng, 1 + static_cast<size_t>(rep) * 3, m);
      const std::vector<double> reference(m, 0.9);  // some points lie beyond it
      double boxes = 0;
      for (const auto& box : non_dominated_boxes(points, reference)) {
        double v = 1;
        for (size_t d = 0; d < m; ++d) v *= box.upper[d] - std::max(box.lower[d], -1.0);
        EXPECT_GE(v, 0.0);
        boxes += v;
      }
      EXPECT_NEAR(boxes + hypervolume(points, reference), std::pow(1.9, static_cast<double>(m)),
                  1e-9)
          << "m=" << m << " rep=" << rep;
    }
  }
}

TEST(NonDominatedBoxes, GiveTheHypervolumeImprovementOfANewPoint) {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(-0.1, 1.2);
  for (size_t m : {2u, 3u, 4u}) {
    const auto points = random_points(rng, 12, m);
    const std::vector<double> reference(m, 1.0);
    const auto boxes = non_dominated_boxes(points, reference);
    const double before = hypervolume(points, reference);
    for (int rep = 0; rep < 20; ++rep) {
      std::vector<double> y(m);
      for (auto& v : y) v = u(rng);
      auto with = points;
      with.push_back(y);
      EXPECT_NEAR(hypervolume_improvement(boxes, y), hypervolume(with, reference) - before, 1e-12)
          << "m=" << m << " rep=" << rep;
    }
  }
}

}  // namespace
}  // namespace greentune::tune
