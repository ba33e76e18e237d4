#include "greentune/tune/pruner.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "tune/pruner_curves.hpp"

namespace greentune::tune {
namespace {

using testing::curve;
using testing::curve_at;
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
// Complete trials known only by their final value (no reports): the fallback rule.
std::vector<CompleteCurve> finals_only(const std::vector<double>& values) {
  std::vector<CompleteCurve> complete;
  int n = 100;
  for (double v : values) complete.push_back({curve(n++, TrialState::complete, {}), v});
  return complete;
}

TEST(PrunedTrialValueTest, AddsTheCompleteTrialsMedianGainFromItsStep) {
  // Complete trials' gains from step 1 to their final values: 0.3, 0.2, 0.1 (median 0.2); from
  // step 2: 0.1, 0.1, 0.05 (median 0.1).
  const std::vector<CompleteCurve> complete = {
      {curve(0, TrialState::complete, {0.5, 0.7, 0.8}), 0.8},
      {curve(1, TrialState::complete, {0.6, 0.7, 0.8}), 0.8},
      {curve(2, TrialState::complete, {0.7, 0.75, 0.8}), 0.8},
  };
  EXPECT_DOUBLE_EQ(
      *pruned_trial_value(curve(3, TrialState::pruned, {0.4}), complete, Direction::maximize), 0.6);
  EXPECT_DOUBLE_EQ(
      *pruned_trial_value(curve(4, TrialState::pruned, {0.4, 0.65}), complete, Direction::maximize),
      0.75);
  // Its own report orders pruned trials alike: a near miss stays above a collapse.
  EXPECT_LT(
      *pruned_trial_value(curve(5, TrialState::pruned, {0.1}), complete, Direction::maximize),
      *pruned_trial_value(curve(6, TrialState::pruned, {0.3}), complete, Direction::maximize));
}

TEST(PrunedTrialValueTest, AnEvenCountOfGainsTakesTheMeanOfTheMiddleTwo) {
  const std::vector<CompleteCurve> complete = {
      {curve(0, TrialState::complete, {0.5, 0.9}), 0.9},  // gain 0.4
      {curve(1, TrialState::complete, {0.6, 0.7}), 0.7},  // gain 0.1
      {curve(2, TrialState::complete, {0.6, 0.9}), 0.9},  // gain 0.3
      {curve(3, TrialState::complete, {0.7, 0.9}), 0.9},  // gain 0.2
  };
  EXPECT_NEAR(
      *pruned_trial_value(curve(4, TrialState::pruned, {0.2}), complete, Direction::maximize), 0.45,
      1e-12);
}

TEST(PrunedTrialValueTest, NeverCountsAboveTheBestCompleteTrial) {
  const std::vector<CompleteCurve> complete = {
      {curve(0, TrialState::complete, {0.5, 0.8}), 0.8},
      {curve(1, TrialState::complete, {0.4, 0.85}), 0.85},
  };
  // 0.7 + median gain 0.375 = 1.075 would beat both: it gets the best, 0.85.
  EXPECT_DOUBLE_EQ(
      *pruned_trial_value(curve(2, TrialState::pruned, {0.7}), complete, Direction::maximize),
      0.85);
  // Minimise (a loss): gains -0.3 and -0.2 (median -0.25); 0.3 - 0.25 = 0.05 would beat the best
  // complete loss, 0.2: it gets 0.2. A worse start stays its estimate: 0.9 - 0.25 = 0.65.
  const std::vector<CompleteCurve> losses = {
      {curve(0, TrialState::complete, {0.5, 0.2}), 0.2},
      {curve(1, TrialState::complete, {0.6, 0.4}), 0.4},
  };
  EXPECT_DOUBLE_EQ(
      *pruned_trial_value(curve(2, TrialState::pruned, {0.3}), losses, Direction::minimize), 0.2);
  EXPECT_DOUBLE_EQ(
      *pruned_trial_value(curve(3, TrialState::pruned, {0.9}), losses, Direction::minimize), 0.65);
}

TEST(PrunedTrialValueTest, GainsComeFromTheFirstReportAtOrAfterItsStep) {
  // The complete trial reported steps 1 and 4 only: from step 3 its gain is counted from its
  // step-4 report (0.85 -> 0.9: 0.05). A complete trial with NaN there is left out.
  const std::vector<CompleteCurve> complete = {
      {curve_at(0, TrialState::complete, {{1, 0.5}, {4, 0.85}, {6, 0.9}}), 0.9},
      {curve(1, TrialState::complete, {0.5, 0.5, kNaN, kNaN, 0.5, 0.5}), 0.5},
  };
  EXPECT_DOUBLE_EQ(*pruned_trial_value(curve(2, TrialState::pruned, {0.6, 0.6, 0.6}), complete,
                                       Direction::maximize),
                   0.65);
}

TEST(PrunedTrialValueTest, WithoutCurvesIsTheLastReportNoBetterThanTheWorstComplete) {
  const auto pruned = curve(3, TrialState::pruned, {0.70, 0.80});
  EXPECT_DOUBLE_EQ(*pruned_trial_value(pruned, finals_only({0.85, 0.90}), Direction::maximize),
                   0.80);
  // Maximise: 0.95 at step 1 would beat the complete 0.85; it is capped there.
  EXPECT_DOUBLE_EQ(*pruned_trial_value(curve(3, TrialState::pruned, {0.95}),
                                       finals_only({0.90, 0.85}), Direction::maximize),
                   0.85);
  // Minimise: a loss of 0.3 would beat the complete 0.4 and 0.5; it gets the worst, 0.5.
  EXPECT_DOUBLE_EQ(*pruned_trial_value(curve(4, TrialState::pruned, {0.3}), finals_only({0.4, 0.5}),
                                       Direction::minimize),
                   0.5);
  EXPECT_DOUBLE_EQ(*pruned_trial_value(curve(5, TrialState::pruned, {0.7}), finals_only({0.4, 0.5}),
                                       Direction::minimize),
                   0.7);
}

TEST(PrunedTrialValueTest, WithoutCompleteTrialsIsTheReportItself) {
  const auto pruned = curve(0, TrialState::pruned, {0.6});
  EXPECT_DOUBLE_EQ(*pruned_trial_value(pruned, {}, Direction::maximize), 0.6);
  EXPECT_DOUBLE_EQ(*pruned_trial_value(pruned, finals_only({kNaN}), Direction::maximize),
                   0.6);  // ignored
}

TEST(PrunedTrialValueTest, NoFiniteLastReportMeansTreatItAsFailed) {
  EXPECT_FALSE(pruned_trial_value(curve(0, TrialState::pruned, {}), finals_only({0.5}),
                                  Direction::maximize));
  EXPECT_FALSE(pruned_trial_value(curve(0, TrialState::pruned, {0.9, kNaN}), finals_only({0.5}),
                                  Direction::maximize));
  EXPECT_FALSE(pruned_trial_value(curve(0, TrialState::pruned, {INFINITY}), finals_only({0.5}),
                                  Direction::maximize));
}

}  // namespace
}  // namespace greentune::tune
