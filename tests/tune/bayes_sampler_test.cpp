#include "greentune/tune/bayes_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "greentune/tune/benchmarks.hpp"
#include "loop.hpp"

namespace greentune::tune {
namespace {

TEST(Benchmarks, KnownOptima) {
  EXPECT_NEAR(branin(-M_PI, 12.275), branin_minimum, 1e-6);
  EXPECT_NEAR(branin(M_PI, 2.275), branin_minimum, 1e-6);
  EXPECT_NEAR(branin(9.42478, 2.475), branin_minimum, 1e-6);
  const double x[6] = {0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573};
  EXPECT_NEAR(hartmann6(x), hartmann6_minimum, 1e-5);
  EXPECT_EQ(benchmark_space("hartmann6").params.size(), 6u);
}

// The BO target in the tests: median simple regret on branin after 30 evaluations below 0.05
// over three fixed seeds (random search needs hundreds of evaluations for that).
TEST(BayesSampler, ReachesLowRegretOnBraninIn30Evaluations) {
  SamplerOptions options;
  BayesSampler sampler(options);
  std::vector<double> regrets;
  for (uint64_t seed : {1u, 2u, 3u}) {
    const auto history = testing::run_loop(sampler, branin_space(), seed, 30,
                                           [](const Params& p) { return branin(p); });
    regrets.push_back(testing::best_value(history) - branin_minimum);
  }
  std::sort(regrets.begin(), regrets.end());
  EXPECT_LT(regrets[1], 0.05) << regrets[0] << " " << regrets[1] << " " << regrets[2];
}

// The paper's setting (probability of improvement, one random round) and UCB also work.
TEST(BayesSampler, OtherAcquisitionsAlsoConverge) {
  for (auto acquisition : {Acquisition::pi, Acquisition::ucb}) {
    SamplerOptions options;
    options.acquisition = acquisition;
    options.startup_rounds = acquisition == Acquisition::pi ? 1 : 5;
    BayesSampler sampler(options);
    std::vector<double> regrets;
    for (uint64_t seed : {1u, 2u, 3u}) {
      const auto history = testing::run_loop(sampler, branin_space(), seed, 30,
                                             [](const Params& p) { return branin(p); });
      regrets.push_back(testing::best_value(history) - branin_minimum);
    }
    std::sort(regrets.begin(), regrets.end());
    EXPECT_LT(regrets[1], 0.5) << to_string(acquisition) << ": " << regrets[0] << " " << regrets[1]
                               << " " << regrets[2];
  }
}

TEST(BayesSampler, SameSeedSameProposals) {
  BayesSampler sampler(SamplerOptions{});
  auto f = [](const Params& p) { return branin(p); };
  const auto a = testing::run_loop(sampler, branin_space(), 11, 9, f);
  const auto b = testing::run_loop(sampler, branin_space(), 11, 9, f);
  const auto c = testing::run_loop(sampler, branin_space(), 12, 9, f);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].params, b[i].params);
  EXPECT_NE(a.back().params, c.back().params);
}

TEST(BayesSampler, MaximisesWhenAsked) {
  SamplerOptions options;
  options.startup_rounds = 4;
  BayesSampler sampler(options);
  SearchSpace space;
  space.params.push_back({"x", ParamType::real, 0, 1, false, 0, {}});
  auto f = [](const Params& p) { return -std::pow(as_double(p, "x") - 0.73, 2); };
  const auto history = testing::run_loop(sampler, space, 3, 14, f, Direction::maximize);
  double best = -1e300;
  for (const auto& t : history) best = std::max(best, *t.value());
  EXPECT_GT(best, -1e-4);
}

Trial make(int number, const Params& params, TrialState state, std::optional<double> value) {
  Trial t;
  t.number = number;
  t.params = params;
  t.state = state;
  if (value) t.values = {*value};
  return t;
}

TEST(BayesSampler, FailedDivergedNanAndRunningTrialsNeverBreakTheModel) {
  SamplerOptions options;
  options.startup_rounds = 1;
  BayesSampler sampler(options);
  const auto space = branin_space();
  std::vector<Trial> history;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  history.push_back(make(0, {{"x1", 1.0}, {"x2", 2.0}}, TrialState::failed, std::nullopt));
  history.push_back(make(1, {{"x1", 3.0}, {"x2", 4.0}}, TrialState::diverged, nan));
  history.push_back(make(2, {{"x1", -2.0}, {"x2", 9.0}}, TrialState::complete, nan));
  history.push_back(make(3, {{"x1", 5.0}, {"x2", 5.0}}, TrialState::complete, inf));
  history.push_back(make(4, {{"x1", 0.0}, {"x2", 0.0}}, TrialState::running, std::nullopt));
  history.push_back(make(5, {{"x1", "text"}}, TrialState::complete, 1.0));  // another space
  // No usable value yet: falls back to random, still a valid point.
  for (auto direction : {Direction::minimize, Direction::maximize}) {
    SamplerContext context{space, history, direction, 1};
    auto p = sampler.propose(context);
    ASSERT_TRUE(p);
    EXPECT_TRUE(std::isfinite(as_double(*p, "x1")));
  }
  // One complete trial, then identical values, then duplicates.
  history.push_back(make(6, {{"x1", 2.0}, {"x2", 2.0}}, TrialState::complete, 7.0));
  for (int i = 0; i < 4; ++i) {
    SamplerContext context{space, history, Direction::minimize, 1};
    auto p = sampler.propose(context);
    ASSERT_TRUE(p);
    const double x1 = as_double(*p, "x1"), x2 = as_double(*p, "x2");
    EXPECT_GE(x1, -5);
    EXPECT_LE(x1, 10);
    EXPECT_GE(x2, 0);
    EXPECT_LE(x2, 15);
    history.push_back(make(static_cast<int>(history.size()), {{"x1", 2.0}, {"x2", 2.0}},
                           TrialState::complete, 7.0));
  }
}

TEST(BayesSampler, AvoidsThePointOfARunningTrial) {
  SamplerOptions options;
  options.startup_rounds = 3;
  BayesSampler sampler(options);
  const auto space = branin_space();
  auto f = [](const Params& p) { return branin(p); };
  auto history = testing::run_loop(sampler, space, 4, 12, f);
  SamplerContext first{space, history, Direction::minimize, 4};
  const auto p = sampler.propose(first);
  ASSERT_TRUE(p);
  history.push_back(make(static_cast<int>(history.size()), *p, TrialState::running, std::nullopt));
  SamplerContext second{space, history, Direction::minimize, 4};
  const auto q = sampler.propose(second);
  ASSERT_TRUE(q);
  const double dx = (as_double(*p, "x1") - as_double(*q, "x1")) / 15;
  const double dy = (as_double(*p, "x2") - as_double(*q, "x2")) / 15;
  EXPECT_GT(std::hypot(dx, dy), 1e-3);
}

TEST(BayesSampler, HandlesIntegersAndCategoricalsWithoutRepeatingPoints) {
  SearchSpace space;
  space.params.push_back({"n", ParamType::integer, 1, 4, false, 1, {}});
  space.params.push_back({"act", ParamType::categorical, 0, 1, false, 0, {"a", "b", "c"}});
  space.params.push_back({"lr", ParamType::real, 1e-4, 1e-1, true, 0, {}});
  SamplerOptions options;
  options.startup_rounds = 3;
  BayesSampler sampler(options);
  auto f = [](const Params& p) {
    const double act = std::get<std::string>(p.at("act")) == "b" ? 0 : 1;
    return std::pow(as_double(p, "n") - 3, 2) + act +
           std::pow(std::log10(as_double(p, "lr")) + 2, 2);
  };
  const auto history = testing::run_loop(sampler, space, 2, 20, f);
  ASSERT_EQ(history.size(), 20u);
  EXPECT_LT(testing::best_value(history), 0.05);
  for (size_t i = 0; i < history.size(); ++i)
    for (size_t j = 0; j < i; ++j) EXPECT_NE(history[i].params, history[j].params);
}

}  // namespace
}  // namespace greentune::tune
