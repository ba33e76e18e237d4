#include "greentune/tune/grid_sampler.hpp"

#include <set>

#include <gtest/gtest.h>

#include "loop.hpp"

namespace greentune::tune {
namespace {

SearchSpace three_params() {
  SearchSpace space;
  space.params.push_back({"lr", ParamType::real, 1e-5, 1e-1, false, 0, {}});
  space.params.push_back({"beta1", ParamType::real, 0.1, 1.0, false, 0, {}});
  space.params.push_back({"beta2", ParamType::real, 0.8, 1.0, false, 0, {}});
  return space;
}

std::string key(const Params& p) {
  std::string k;
  for (const auto& [name, value] : p) k += name + "=" + to_string(value) + ";";
  return k;
}

double zero(const Params&) {
  return 0;
}

TEST(GridValues, PaperRuleNeverUsesTheUpperBound) {
  ParamSpec spec{"beta1", ParamType::real, 0.1, 1.0, false, 0, {}};
  const auto values = grid_values(spec, 5, GridRule::paper);
  ASSERT_EQ(values.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(std::get<double>(values[i]), 0.1 + i * 0.18, 1e-12);
}

TEST(GridValues, InclusiveRuleHitsBothEndsAndLogIsGeometric) {
  ParamSpec spec{"lr", ParamType::real, 1e-4, 1e-1, true, 0, {}};
  const auto values = grid_values(spec, 4, GridRule::inclusive);
  ASSERT_EQ(values.size(), 4u);
  EXPECT_NEAR(std::get<double>(values[0]), 1e-4, 1e-16);
  EXPECT_NEAR(std::get<double>(values[1]), 1e-3, 1e-15);
  EXPECT_NEAR(std::get<double>(values[3]), 1e-1, 1e-14);
}

TEST(GridValues, IntegersAreRoundedAndDeduplicatedCategoricalsAll) {
  ParamSpec ints{"n", ParamType::integer, 1, 3, false, 1, {}};
  const auto values = grid_values(ints, 5, GridRule::inclusive);  // 1, 1.5, 2, 2.5, 3 -> 1,2,3
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(std::get<int64_t>(values[0]), 1);
  EXPECT_EQ(std::get<int64_t>(values[2]), 3);
  ParamSpec cat{"act", ParamType::categorical, 0, 1, false, 0, {"relu", "tanh", "none"}};
  EXPECT_EQ(grid_values(cat, 2, GridRule::paper).size(), 3u);
}

TEST(GridSampler, CoversEveryPointOnceThenIsExhausted) {
  for (auto rule : {GridRule::paper, GridRule::inclusive}) {
    GridSampler sampler(5, rule);
    const auto space = three_params();
    const auto history = testing::run_loop(sampler, space, 3, 200, zero);
    ASSERT_EQ(history.size(), 125u) << to_string(rule);
    std::set<std::string> seen;
    for (const auto& t : history) seen.insert(key(t.params));
    EXPECT_EQ(seen.size(), 125u);
    SamplerContext context{space, history, Direction::minimize, 3};
    EXPECT_FALSE(sampler.propose(context).has_value());
  }
}

TEST(GridSampler, SubsetIsSeededRandomAndReproducible) {
  GridSampler sampler(5, GridRule::paper);
  const auto space = three_params();
  const auto a = testing::run_loop(sampler, space, 1234, 64, zero);
  const auto b = testing::run_loop(sampler, space, 1234, 64, zero);
  const auto c = testing::run_loop(sampler, space, 99, 64, zero);
  ASSERT_EQ(a.size(), 64u);
  std::set<std::string> seen;
  int same_as_c = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(key(a[i].params), key(b[i].params));
    same_as_c += key(a[i].params) == key(c[i].params);
    seen.insert(key(a[i].params));
  }
  EXPECT_EQ(seen.size(), 64u);
  EXPECT_LT(same_as_c, 10);
  // Not the lexicographic order: the first points are spread over lr's five values.
  std::set<std::string> first_lrs;
  for (int i = 0; i < 10; ++i) first_lrs.insert(to_string(a[i].params.at("lr")));
  EXPECT_GE(first_lrs.size(), 3u);
}

TEST(GridSampler, SkipsPointsTakenByRunningAndFailedTrials) {
  GridSampler sampler(2, GridRule::paper);
  SearchSpace space;
  space.params.push_back({"a", ParamType::real, 0, 1, false, 0, {}});
  space.params.push_back({"b", ParamType::categorical, 0, 1, false, 0, {"x", "y"}});
  std::vector<Trial> history;
  for (auto state : {TrialState::running, TrialState::failed, TrialState::running}) {
    SamplerContext context{space, history, Direction::minimize, 5};
    auto p = sampler.propose(context);
    ASSERT_TRUE(p);
    Trial t;
    t.number = static_cast<int>(history.size()) + 1;
    t.state = state;  // none of them has finished: the next worker must still avoid them
    t.params = *p;
    history.push_back(t);
  }
  SamplerContext context{space, history, Direction::minimize, 5};
  auto last = sampler.propose(context);
  ASSERT_TRUE(last);
  for (const auto& t : history) EXPECT_NE(key(t.params), key(*last));
  Trial t;
  t.params = *last;
  history.push_back(t);
  SamplerContext done{space, history, Direction::minimize, 5};
  EXPECT_FALSE(sampler.propose(done));
}

TEST(GridSampler, PointsOffTheGridDoNotCount) {
  GridSampler sampler(2, GridRule::paper);
  SearchSpace space;
  space.params.push_back({"a", ParamType::real, 0, 1, false, 0, {}});
  Trial off;
  off.params = {{"a", 0.25}};
  std::vector<Trial> history{off};
  SamplerContext context{space, history, Direction::minimize, 1};
  EXPECT_TRUE(sampler.propose(context));
  EXPECT_EQ(sampler.grid_size(space), 2u);
}

}  // namespace
}  // namespace greentune::tune
