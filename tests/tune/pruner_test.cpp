#include "greentune/tune/pruner.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "tune/pruner_curves.hpp"

namespace greentune::tune {
namespace {

using testing::curve;
using testing::kNaN;

TEST(CurveTest, MakeCurveSortsByStepAndKeepsTheLaterOfTwoReportsOfAStep) {
  const auto c = make_curve(4, TrialState::running, {{3, 0.3}, {1, 0.1}, {3, 0.33}, {2, 0.2}});
  ASSERT_EQ(c.points.size(), 3u);
  EXPECT_EQ(c.points[0].step, 1);
  EXPECT_EQ(c.points[1].step, 2);
  EXPECT_EQ(c.points[2].step, 3);
  EXPECT_DOUBLE_EQ(c.points[2].value, 0.33);
  EXPECT_EQ(c.trial_number, 4);
}

TEST(CurveTest, CurvesFromTrialsCarryNumberStateAndReports) {
  Trial a;
  a.number = 7;
  a.state = TrialState::pruned;
  a.intermediate = {{2, {0.5}, 0, 0}, {1, {0.4}, 0, 0}};
  Trial b;
  b.number = 8;
  const auto curves = curves_from_trials({a, b});
  ASSERT_EQ(curves.size(), 2u);
  EXPECT_EQ(curves[0].trial_number, 7);
  EXPECT_EQ(curves[0].state, TrialState::pruned);
  ASSERT_EQ(curves[0].points.size(), 2u);
  EXPECT_EQ(curves[0].points[0].step, 1);
  EXPECT_TRUE(curves[1].points.empty());
}

TEST(CurveTest, PointAtOrAfterFindsTheFirstReportPastAGap) {
  const auto c = make_curve(0, TrialState::running, {{1, 0.1}, {4, 0.4}});
  EXPECT_EQ(point_at_or_after(c, 1)->step, 1);
  EXPECT_EQ(point_at_or_after(c, 2)->step, 4);
  EXPECT_EQ(point_at_or_after(c, 4)->step, 4);
  EXPECT_EQ(point_at_or_after(c, 5), nullptr);
}

TEST(CurveTest, GoodnessIsHigherIsBetterAndNanIsTheWorst) {
  EXPECT_GT(goodness(0.9, Direction::maximize), goodness(0.8, Direction::maximize));
  EXPECT_GT(goodness(0.1, Direction::minimize), goodness(0.2, Direction::minimize));
  EXPECT_LT(goodness(kNaN, Direction::maximize), goodness(-1e308, Direction::maximize));
  EXPECT_LT(goodness(kNaN, Direction::minimize), goodness(1e308, Direction::minimize));
  EXPECT_DOUBLE_EQ(from_goodness(goodness(0.3, Direction::minimize), Direction::minimize), 0.3);
  EXPECT_DOUBLE_EQ(from_goodness(goodness(0.3, Direction::maximize), Direction::maximize), 0.3);
}

TEST(NonePrunerTest, NeverPrunes) {
  NonePruner none;
  const auto current = curve(1, TrialState::running, {kNaN, kNaN});
  EXPECT_FALSE(testing::decide(none, current, {curve(0, TrialState::complete, {1, 1})}).prune);
}

TEST(DecideFromTrialsTest, FindsTheCurrentTrialInTheHistory) {
  // A pruner that prunes trial 1 only, to see which curve was handed over as the current one.
  struct PruneOne : Pruner {
    std::string name() const override { return "one"; }
    PruneDecision decide(const PruneInput& input) const override {
      return {input.current.trial_number == 1 && input.current.points.size() == 2, ""};
    }
  } pruner;
  Trial a, b;
  a.number = 0;
  b.number = 1;
  b.intermediate = {{1, {0.1}, 0, 0}, {2, {0.2}, 0, 0}};
  EXPECT_TRUE(decide_from_trials(pruner, {a, b}, 1, Direction::maximize).prune);
  EXPECT_FALSE(decide_from_trials(pruner, {a, b}, 0, Direction::maximize).prune);
  EXPECT_FALSE(decide_from_trials(pruner, {a, b}, 5, Direction::maximize).prune);  // not there
}

// What a pruned trial tells the sampler.
TEST(PrunedTrialValueTest, IsTheLastReportWhenWorseThanEveryCompleteTrial) {
  const auto pruned = curve(3, TrialState::pruned, {0.70, 0.80});
  EXPECT_DOUBLE_EQ(*pruned_trial_value(pruned, {0.85, 0.90}, Direction::maximize), 0.80);
}

TEST(PrunedTrialValueTest, NeverRanksAboveTheWorstCompleteTrial) {
  // Maximise: 0.95 at step 2 would beat the complete 0.85; it is capped there.
  const auto pruned = curve(3, TrialState::pruned, {0.95});
  EXPECT_DOUBLE_EQ(*pruned_trial_value(pruned, {0.90, 0.85}, Direction::maximize), 0.85);
  // Minimise: a loss of 0.3 would beat the complete 0.4 and 0.5; it gets the worst, 0.5.
  const auto loss = curve(4, TrialState::pruned, {0.3});
  EXPECT_DOUBLE_EQ(*pruned_trial_value(loss, {0.4, 0.5}, Direction::minimize), 0.5);
  const auto bad_loss = curve(5, TrialState::pruned, {0.7});
  EXPECT_DOUBLE_EQ(*pruned_trial_value(bad_loss, {0.4, 0.5}, Direction::minimize), 0.7);
}

TEST(PrunedTrialValueTest, WithoutCompleteTrialsIsTheReportItself) {
  const auto pruned = curve(0, TrialState::pruned, {0.6});
  EXPECT_DOUBLE_EQ(*pruned_trial_value(pruned, {}, Direction::maximize), 0.6);
  EXPECT_DOUBLE_EQ(*pruned_trial_value(pruned, {kNaN}, Direction::maximize), 0.6);  // ignored
}

TEST(PrunedTrialValueTest, NoFiniteLastReportMeansTreatItAsFailed) {
  EXPECT_FALSE(pruned_trial_value(curve(0, TrialState::pruned, {}), {0.5}, Direction::maximize));
  EXPECT_FALSE(
      pruned_trial_value(curve(0, TrialState::pruned, {0.9, kNaN}), {0.5}, Direction::maximize));
  EXPECT_FALSE(
      pruned_trial_value(curve(0, TrialState::pruned, {INFINITY}), {0.5}, Direction::maximize));
}

}  // namespace
}  // namespace greentune::tune
