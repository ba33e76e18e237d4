#include "greentune/tune/pareto.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {
namespace {

TEST(Pareto, DominanceNeedsOneStrictlyBetterObjective) {
  EXPECT_TRUE(dominates({1, 2}, {1, 3}));
  EXPECT_TRUE(dominates({0, 0, 0}, {1, 1, 1}));
  EXPECT_FALSE(dominates({1, 2}, {1, 2}));
  EXPECT_FALSE(dominates({1, 3}, {2, 2}));
  EXPECT_FALSE(dominates({std::nan(""), 0}, {1, 1}));
}

TEST(Pareto, FrontKeepsNonDominatedPointsAndTheirDuplicates) {
  const std::vector<std::vector<double>> points{{1, 3}, {2, 2}, {2.5, 2.5},        {3, 1},
                                                {2, 2}, {4, 4}, {std::nan(""), 0}, {0.5, 5}};
  EXPECT_EQ(pareto_front_indices(points), (std::vector<size_t>{0, 1, 3, 4, 7}));
  EXPECT_TRUE(pareto_front_indices({}).empty());
  // Three objectives: (1,1,5) and (5,1,1) trade off, (2,2,6) is dominated by the first.
  EXPECT_EQ(pareto_front_indices({{1, 1, 5}, {5, 1, 1}, {2, 2, 6}}), (std::vector<size_t>{0, 1}));
}

TEST(Pareto, MaximisedObjectivesAreTurnedRound) {
  // accuracy (maximised) and joules (minimised): (0.9, 500) and (0.8, 100) trade off,
  // (0.7, 800) is worse than both.
  const auto minimised = to_minimisation({{0.9, 500}, {0.8, 100}, {0.7, 800}},
                                         {Direction::maximize, Direction::minimize});
  EXPECT_DOUBLE_EQ(minimised[0][0], -0.9);
  EXPECT_DOUBLE_EQ(minimised[0][1], 500);
  EXPECT_EQ(pareto_front_indices(minimised), (std::vector<size_t>{0, 1}));
  EXPECT_THROW(to_minimisation({{1, 2, 3}}, {Direction::minimize}), InputError);
}

TEST(Pareto, KneeIsFarthestFromTheLineThroughTheExtremes) {
  // Extremes (0, 10) and (10, 0); (2, 3) bulges farthest towards the origin.
  const std::vector<std::vector<double>> front{{0, 10}, {5, 4.9}, {2, 3}, {10, 0}, {3, 2.5}};
  EXPECT_EQ(knee_point_index(front), 2u);
  // Scales do not matter: joules in thousands, accuracy errors in hundredths.
  const std::vector<std::vector<double>> scaled{{0, 10000}, {0.05, 4900}, {0.02, 3000}, {0.1, 0}};
  EXPECT_EQ(knee_point_index(scaled), 2u);
  EXPECT_EQ(knee_point_index({{1, 1}}), 0u);
  EXPECT_FALSE(knee_point_index({}).has_value());
}

}  // namespace
}  // namespace greentune::tune
