#include "greentune/tune/analysis.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace greentune::tune {
namespace {

Trial trial(int number, std::optional<double> value, double joules,
            TrialState state = TrialState::complete) {
  Trial t;
  t.number = number;
  if (value) t.values = {*value};
  t.joules = joules;
  t.seconds = joules / 100;
  t.state = state;
  return t;
}

// Accuracies of a made-up study (trials numbered from 1, as stored): the best (0.880) arrives at
// round 6, but 0.877 at round 4 is within the default tolerance of 0.005.
std::vector<Trial> accuracy_study() {
  return {trial(1, 0.60, 100),  trial(2, 0.85, 110), trial(3, std::nullopt, 50, TrialState::failed),
          trial(4, 0.877, 120), trial(5, 0.70, 90),  trial(6, 0.880, 100),
          trial(7, 0.5, 80)};
}

TEST(Analysis, BestSoFarIsDirectionAwareAndSkipsFailedRounds) {
  const auto curve = best_so_far(accuracy_study(), Direction::maximize);
  ASSERT_EQ(curve.size(), 7u);
  EXPECT_DOUBLE_EQ(*curve[1].best, 0.85);
  EXPECT_FALSE(curve[2].value.has_value());
  EXPECT_DOUBLE_EQ(*curve[2].best, 0.85);
  EXPECT_DOUBLE_EQ(*curve[6].best, 0.880);
  EXPECT_DOUBLE_EQ(curve[2].joules, 260);
  EXPECT_EQ(curve[0].round, 1);  // the trial's own number, as every output prints it
  EXPECT_EQ(curve[6].round, 7);
  const auto low = best_so_far(accuracy_study(), Direction::minimize);
  EXPECT_DOUBLE_EQ(*low[6].best, 0.5);
  EXPECT_DOUBLE_EQ(*low[3].best, 0.60);
}

TEST(Analysis, OptimumRoundAndJoulesToOptimum) {
  const auto s = summarize_study(accuracy_study(), Direction::maximize);
  EXPECT_DOUBLE_EQ(*s.best, 0.880);
  ASSERT_TRUE(s.optimum_round);
  EXPECT_EQ(*s.optimum_round, 4);
  EXPECT_DOUBLE_EQ(s.joules_to_optimum, 100 + 110 + 50 + 120);
  EXPECT_DOUBLE_EQ(s.total_joules, 650);
  EXPECT_EQ(s.trials, 7);
  EXPECT_EQ(s.complete, 6);
  const auto strict = summarize_study(accuracy_study(), Direction::maximize, 0.001);
  EXPECT_EQ(*strict.optimum_round, 6);
  EXPECT_DOUBLE_EQ(strict.joules_to_optimum, 570);
}

TEST(Analysis, TrialsAreOrderedByNumberNotByPosition) {
  auto trials = accuracy_study();
  std::reverse(trials.begin(), trials.end());
  EXPECT_EQ(*summarize_study(trials, Direction::maximize).optimum_round, 4);
}

TEST(Analysis, StudyWithoutValuesHasNoOptimum) {
  const auto s =
      summarize_study({trial(1, std::nullopt, 10, TrialState::failed)}, Direction::maximize);
  EXPECT_FALSE(s.best);
  EXPECT_FALSE(s.optimum_round);
  EXPECT_DOUBLE_EQ(s.total_joules, 10);
  EXPECT_FALSE(summarize_study({}, Direction::maximize).optimum_round);
}

TEST(Analysis, ComparisonGroupsStrategiesWithMeanAndSpread) {
  StudySummary a, b, c;
  a.strategy = b.strategy = "bayes";
  c.strategy = "grid";
  a.optimum_round = 10;
  b.optimum_round = 20;
  c.optimum_round = 40;
  a.joules_to_optimum = 1000;
  b.joules_to_optimum = 3000;
  c.joules_to_optimum = 5000;
  a.best = 0.88;
  b.best = 0.86;
  c.best = 0.85;
  const auto rows = compare_strategies({a, c, b});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].strategy, "bayes");
  EXPECT_EQ(rows[0].studies, 2);
  EXPECT_DOUBLE_EQ(rows[0].rounds_to_optimum.mean, 15);
  EXPECT_NEAR(rows[0].rounds_to_optimum.sd, std::sqrt(50.0), 1e-12);
  EXPECT_DOUBLE_EQ(rows[0].joules_to_optimum.median, 2000);
  EXPECT_DOUBLE_EQ(rows[1].best.mean, 0.85);
  const auto table = format_comparison(rows);
  EXPECT_THAT(table, ::testing::HasSubstr("15.0 ± 7.1"));
  EXPECT_THAT(table, ::testing::HasSubstr("grid"));
}

}  // namespace
}  // namespace greentune::tune
