#include "greentune/report/spread_curves.hpp"

#include <gtest/gtest.h>

namespace greentune::report {
namespace {

TEST(SpreadCurves, BestByJoulesStepsAtCumulativeJoules) {
  // Round 2 has no value (failed); round 4 cost nothing more: its better value replaces round 3's.
  auto curve = best_by_joules({0.5, std::nullopt, 0.7, 0.8}, {10, 5, 20, 0}, true);
  EXPECT_EQ(curve.x, (std::vector<double>{10, 15, 35}));
  EXPECT_EQ(curve.best, (std::vector<double>{0.5, 0.5, 0.8}));
  auto minimised = best_by_round({std::nullopt, 3.0, 4.0, 1.0}, false);
  EXPECT_EQ(minimised.x, (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(minimised.best, (std::vector<double>{3, 3, 1}));
}

TEST(SpreadCurves, MedianAndRangeOverTheCommonRange) {
  StepCurve a{{10, 20, 40}, {0.5, 0.6, 0.9}};
  StepCurve b{{15, 30}, {0.4, 0.7}};
  StepCurve c{{5, 25, 35}, {0.3, 0.8, 0.85}};
  auto spread = spread_over({a, b, c});
  EXPECT_EQ(spread.studies, 3u);
  // From 15 (every curve has a value) to 30 (where the shortest, b, ends).
  std::vector<double> xs;
  for (const auto& p : spread.median) xs.push_back(p.x);
  EXPECT_EQ(xs, (std::vector<double>{15, 20, 25, 30}));
  // At 25: a 0.6, b 0.4, c 0.8 -> median 0.6, range 0.4-0.8.
  EXPECT_DOUBLE_EQ(spread.median[2].y, 0.6);
  EXPECT_DOUBLE_EQ(spread.band[2].low, 0.4);
  EXPECT_DOUBLE_EQ(spread.band[2].high, 0.8);
  // At 30: a 0.6, b 0.7, c 0.8.
  EXPECT_DOUBLE_EQ(spread.median[3].y, 0.7);
  EXPECT_DOUBLE_EQ(spread.band[3].low, 0.6);
  EXPECT_DOUBLE_EQ(spread.band[3].high, 0.8);
}

TEST(SpreadCurves, NoCommonRangeGivesNothing) {
  EXPECT_TRUE(spread_over({}).median.empty());
  EXPECT_TRUE(spread_over({StepCurve{{1, 2}, {0, 1}}, StepCurve{{3, 4}, {0, 1}}}).median.empty());
  EXPECT_TRUE(spread_over({StepCurve{}, StepCurve{{1}, {1}}}).median.empty());
}

}  // namespace
}  // namespace greentune::report
