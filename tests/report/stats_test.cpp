#include "greentune/report/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "greentune/common/error.hpp"

namespace greentune::report {
namespace {

// Worked by hand. Pooled and sorted: 1 | 2 2 2 | 3 | 4 4 | 5 6 7 (n = 10). Ranks: 1 -> 1,
// the three 2s share (2+3+4)/3 = 3, 3 -> 5, the two 4s share 6.5, then 8, 9, 10.
// Rank sums: A = 1+3+3 = 7, B = 3+5+6.5+6.5 = 21, C = 8+9+10 = 27.
// H = 12/(10*11) * (49/3 + 441/4 + 729/3) - 3*11 = 7.318181...
// Tie correction C = 1 - ((27-3) + (8-2)) / (1000-10) = 1 - 30/990, so H = 7.546875 exactly.
// eta^2 = (H - k + 1)/(n - k) = 5.546875 / 7; with df = 2 the p-value is exp(-H/2).
TEST(KruskalWallis, MatchesHandComputedValuesWithTies) {
  auto kw = kruskal_wallis({{1, 2, 2}, {2, 3, 4, 4}, {5, 6, 7}});
  EXPECT_NEAR(kw.h, 7.546875, 1e-12);
  EXPECT_EQ(kw.df, 2);
  EXPECT_EQ(kw.n, 10u);
  EXPECT_EQ(kw.groups, 3u);
  EXPECT_NEAR(kw.eta_squared, 5.546875 / 7.0, 1e-12);
  EXPECT_NEAR(kw.p_value, std::exp(-7.546875 / 2.0), 1e-12);
}

// epsilon^2 = H / ((n^2 - 1) / (n + 1)) = 7.546875 / (99 / 11) = 7.546875 / 9.
TEST(KruskalWallis, EpsilonSquaredFromH) {
  auto kw = kruskal_wallis({{1, 2, 2}, {2, 3, 4, 4}, {5, 6, 7}});
  EXPECT_NEAR(kw.epsilon_squared, 7.546875 / 9.0, 1e-12);
  EXPECT_FALSE(kw.eta_squared_clamped);
  EXPECT_EQ(kw.eta_squared, kw.eta_squared_raw);
}

// Regression (issue 13: the sweep printed eta^2 = -0.052). Ranks equal the values here:
// A = 1 + 5 + 6 = 12, B = 2 + 3 + 4 = 9, n = 6, so H = 12/42 (144/3 + 81/3) - 21 = 3/7, below
// k - 1 = 1: (H - k + 1)/(n - k) = (3/7 - 1)/4 = -1/7. Reported: 0, with the raw value kept.
// epsilon^2 = (3/7) / (35/7) = 3/35.
TEST(KruskalWallis, EtaSquaredNeverNegative) {
  auto kw = kruskal_wallis({{1, 5, 6}, {2, 3, 4}});
  EXPECT_NEAR(kw.h, 3.0 / 7.0, 1e-12);
  EXPECT_NEAR(kw.eta_squared_raw, -1.0 / 7.0, 1e-12);
  EXPECT_TRUE(kw.eta_squared_clamped);
  EXPECT_EQ(kw.eta_squared, 0.0);
  EXPECT_NEAR(kw.epsilon_squared, 3.0 / 35.0, 1e-12);
  std::string text = effect_size_text(kw);
  EXPECT_NE(text.find("η²_H = 0 (clamped: raw -0.143, H < k−1)"), std::string::npos) << text;
  EXPECT_NE(text.find("(H−k+1)/(n−k)"), std::string::npos) << text;
  EXPECT_NE(text.find("ε² = 0.086"), std::string::npos) << text;
}

TEST(KruskalWallis, GroupOrderDoesNotMatterAndEmptyGroupsAreIgnored) {
  auto a = kruskal_wallis({{1, 2, 2}, {2, 3, 4, 4}, {5, 6, 7}});
  auto b = kruskal_wallis({{5, 6, 7}, {}, {4, 2, 4, 3}, {2, 1, 2}});
  EXPECT_NEAR(a.h, b.h, 1e-12);
  EXPECT_EQ(b.groups, 3u);
}

TEST(KruskalWallis, NoTiesNoCorrection) {
  // Ranks 1..6, A = {1,2,3} sums to 6, B = 15: H = 12/42 * (36/3 + 225/3) - 21 = 27/7.
  auto kw = kruskal_wallis({{10, 20, 30}, {40, 50, 60}});
  EXPECT_NEAR(kw.h, 27.0 / 7.0, 1e-12);
  EXPECT_NEAR(kw.eta_squared, (27.0 / 7.0 - 1.0) / 4.0, 1e-12);
}

TEST(KruskalWallis, AllEqualValuesGiveZero) {
  auto kw = kruskal_wallis({{3, 3}, {3, 3}});
  EXPECT_EQ(kw.h, 0.0);
  EXPECT_EQ(kw.p_value, 1.0);
}

TEST(KruskalWallis, RejectsTooFewGroupsOrObservations) {
  EXPECT_THROW(kruskal_wallis({{1, 2, 3}}), InputError);
  EXPECT_THROW(kruskal_wallis({{1, 2, 3}, {}}), InputError);
  EXPECT_THROW(kruskal_wallis({{1}, {2}}), InputError);
}

TEST(ChiSquare, KnownQuantiles) {
  EXPECT_NEAR(chi_square_survival(3.841458820694124, 1), 0.05, 1e-9);
  EXPECT_NEAR(chi_square_survival(6.634896601021214, 1), 0.01, 1e-9);
  EXPECT_NEAR(chi_square_survival(4.0, 2), std::exp(-2.0), 1e-12);
  EXPECT_NEAR(chi_square_survival(11.070497693516351, 5), 0.05, 1e-9);
  // df = 3: Q = erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2), closed form.
  EXPECT_NEAR(chi_square_survival(40.0, 3), 1.0655090334255861e-08, 1e-15);
  EXPECT_EQ(chi_square_survival(0.0, 3), 1.0);
  EXPECT_THROW(chi_square_survival(1.0, 0), InputError);
}

TEST(Pareto, KeepsOnlyUndominatedPointsByJoules) {
  std::vector<Point> points = {
      {0.80, 100},  // 0: front (cheapest)
      {0.85, 150},  // 1: front
      {0.84, 160},  // 2: dominated by 1
      {0.90, 300},  // 3: front
      {0.90, 310},  // 4: same value, more joules: dominated by 3
      {0.70, 100},  // 5: same joules as 0, worse: dominated
      {0.95, 500},  // 6: front
      {0.60, 90},   // 7: front (cheapest of all)
  };
  EXPECT_EQ(pareto_front(points), (std::vector<size_t>{7, 0, 1, 3, 6}));
  EXPECT_TRUE(pareto_front({}).empty());
}

TEST(Pareto, IdenticalPointsKeepTheFirst) {
  EXPECT_EQ(pareto_front({{0.5, 10}, {0.5, 10}}), (std::vector<size_t>{0}));
}

// Regression (issue 13: the Pareto table listed one configuration twice). Configuration a ran
// twice: one point at its means (0.81, 110 J); c (0.7, 150 J) is beaten by a.
TEST(Pareto, OneRowPerConfigurationAtTheMeanOfItsRuns) {
  std::vector<ConfigurationRun> runs = {
      {"a", 0.80, 100}, {"b", 0.85, 200}, {"a", 0.82, 120}, {"c", 0.70, 150}, {"b", 0.85, 200}};
  auto front = pareto_configurations(runs);
  ASSERT_EQ(front.size(), 2u);
  EXPECT_EQ(front[0].configuration, "a");
  EXPECT_EQ(front[0].runs, 2u);
  EXPECT_NEAR(front[0].value, 0.81, 1e-12);
  EXPECT_NEAR(front[0].joules, 110, 1e-12);
  EXPECT_EQ(front[0].joules_per_run, (std::vector<double>{100, 120}));
  EXPECT_EQ(front[1].configuration, "b");
  EXPECT_EQ(front[1].runs, 2u);
  EXPECT_EQ(by_configuration(runs).size(), 3u);
}

TEST(CheapestWithin, PicksFewestJoulesAboveTheFloor) {
  std::vector<Point> points = {{0.900, 500}, {0.895, 300}, {0.889, 100}, {0.891, 200}};
  EXPECT_EQ(cheapest_within(points, 0.01), 3u);  // floor 0.890: 0.889 is just out
  EXPECT_EQ(cheapest_within(points, 0.02), 2u);
  EXPECT_EQ(cheapest_within(points, 0.0), 0u);
  EXPECT_FALSE(cheapest_within({}, 0.01).has_value());
}

TEST(BestSoFar, CarriesBestOverGapsInBothDirections) {
  std::vector<std::optional<double>> values = {std::nullopt, 0.5, 0.4, std::nullopt, 0.7, 0.6};
  auto up = best_so_far(values, true);
  ASSERT_EQ(up.size(), 6u);
  EXPECT_FALSE(up[0]);
  EXPECT_EQ(*up[1], 0.5);
  EXPECT_EQ(*up[3], 0.5);
  EXPECT_EQ(*up[5], 0.7);
  auto down = best_so_far(values, false);
  EXPECT_EQ(*down[2], 0.4);
  EXPECT_EQ(*down[5], 0.4);
}

TEST(OptimumRound, FirstRoundWithinToleranceOfFinalBest) {
  std::vector<std::optional<double>> values = {0.5, 0.80, 0.82, 0.70, 0.821, 0.60};
  // Rounds count from 1, as trial numbers do.
  EXPECT_EQ(optimum_round(values, true, 0.005), 3u);  // 0.82 is within 0.005 of 0.821
  EXPECT_EQ(optimum_round(values, true, 0.0), 5u);
  EXPECT_EQ(optimum_round(values, true, 0.05), 2u);
  EXPECT_EQ(optimum_round(values, true, -1.0), 6u);  // an impossible tolerance: the last round
  EXPECT_FALSE(optimum_round({std::nullopt, std::nullopt}, true, 0.01));
}

TEST(Spread, MeanAndSampleStandardDeviation) {
  EXPECT_DOUBLE_EQ(mean({2, 4, 4, 4, 5, 5, 7, 9}), 5.0);
  EXPECT_NEAR(sample_stddev({2, 4, 4, 4, 5, 5, 7, 9}), std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_EQ(sample_stddev({1}), 0.0);
}

TEST(LayerEffects, PercentAndJoulesPerAddedLayer) {
  // conv 1 -> 3 costs +100 J per added conv layer; relu adds 10 J.
  std::vector<SweepRun> runs;
  for (double conv : {1.0, 2.0, 3.0})
    for (double relu : {0.0, 1.0})
      for (double rep : {0.0, 1.0})
        runs.push_back({{conv, relu}, 100.0 * conv + 10.0 * relu + rep, 0.8});
  auto effects = layer_effects({"conv", "relu"}, runs);
  ASSERT_EQ(effects.size(), 2u);
  const auto& conv = effects[0];
  EXPECT_EQ(conv.levels, (std::vector<double>{1, 2, 3}));
  EXPECT_NEAR(conv.low_joules, 100 + 5 + 0.5, 1e-9);
  EXPECT_NEAR(conv.high_joules, 300 + 5 + 0.5, 1e-9);
  EXPECT_NEAR(conv.joules_per_step, 100.0, 1e-9);
  EXPECT_NEAR(conv.percent_change, 200.0 / 105.5 * 100.0, 1e-9);
  ASSERT_TRUE(conv.test);
  // Every conv-3 run beats every conv-2 run beats every conv-1 run: maximal separation.
  EXPECT_GT(conv.test->eta_squared, 0.8);
  const auto& relu = effects[1];
  EXPECT_NEAR(relu.joules_per_step, 10.0, 1e-9);
  ASSERT_TRUE(relu.test);
  EXPECT_LT(relu.test->eta_squared, conv.test->eta_squared);
}

TEST(LayerEffects, SingleLevelHasNoTest) {
  auto effects = layer_effects({"linear"}, {{{3}, 10, 0.5}, {{3}, 12, 0.6}});
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_FALSE(effects[0].test);
  EXPECT_EQ(effects[0].percent_change, 0.0);
}

}  // namespace
}  // namespace greentune::report
