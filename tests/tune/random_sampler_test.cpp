#include "greentune/tune/random_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "greentune/tune/quasi_random.hpp"
#include "loop.hpp"

namespace greentune::tune {
namespace {

SearchSpace mixed_space() {
  SearchSpace space;
  space.params.push_back({"lr", ParamType::real, 1e-5, 1e-1, true, 0, {}});
  space.params.push_back({"wd", ParamType::real, 0, 0.1, false, 0, {}});
  space.params.push_back({"layers", ParamType::integer, 2, 10, false, 2, {}});
  space.params.push_back({"act", ParamType::categorical, 0, 1, false, 0, {"relu", "tanh"}});
  return space;
}

double zero(const Params&) {
  return 0;
}

TEST(RandomSampler, SameSeedSameProposalsDifferentSeedDifferent) {
  for (auto quasi : {QuasiKind::none, QuasiKind::sobol, QuasiKind::halton}) {
    RandomSampler sampler(quasi);
    const auto a = testing::run_loop(sampler, mixed_space(), 42, 20, zero);
    const auto b = testing::run_loop(sampler, mixed_space(), 42, 20, zero);
    const auto c = testing::run_loop(sampler, mixed_space(), 43, 20, zero);
    int differ = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].params, b[i].params);
      differ += a[i].params.at("wd") != c[i].params.at("wd");
    }
    EXPECT_GE(differ, 18) << sampler.name();
  }
}

TEST(RandomSampler, ProposalDependsOnlyOnSeedAndTrialNumber) {
  RandomSampler sampler;
  const auto space = mixed_space();
  std::vector<Trial> a(7), b(7);
  b[3].state = TrialState::failed;  // what the history holds does not matter, only its length
  b[3].params = {{"lr", 0.5}};
  SamplerContext ca{space, a, Direction::minimize, 9}, cb{space, b, Direction::maximize, 9};
  EXPECT_EQ(*sampler.propose(ca), *sampler.propose(cb));
}

TEST(RandomSampler, ValuesRespectTypesBoundsStepsAndLogScale) {
  RandomSampler sampler;
  const auto history = testing::run_loop(sampler, mixed_space(), 1, 4000, zero);
  int below_1e3 = 0;
  std::set<int64_t> layers;
  std::set<std::string> acts;
  for (const auto& t : history) {
    const double lr = std::get<double>(t.params.at("lr"));
    ASSERT_GE(lr, 1e-5);
    ASSERT_LE(lr, 1e-1);
    below_1e3 += lr < 1e-3;
    const double wd = std::get<double>(t.params.at("wd"));
    ASSERT_GE(wd, 0);
    ASSERT_LE(wd, 0.1);
    const int64_t n = std::get<int64_t>(t.params.at("layers"));
    ASSERT_EQ(n % 2, 0);
    layers.insert(n);
    acts.insert(std::get<std::string>(t.params.at("act")));
  }
  // Log-uniform over 4 decades: half the draws below 1e-3 (uniform would give 1%).
  EXPECT_NEAR(below_1e3 / 4000.0, 0.5, 0.04);
  EXPECT_EQ(layers, (std::set<int64_t>{2, 4, 6, 8, 10}));
  EXPECT_EQ(acts.size(), 2u);
}

TEST(RandomSampler, LogIntegersStayInBoundsAndReachBothEnds) {
  SearchSpace space;
  space.params.push_back({"batch", ParamType::integer, 1, 8, true, 1, {}});
  RandomSampler sampler;
  const auto history = testing::run_loop(sampler, space, 5, 3000, zero);
  int64_t lo = 1 << 30, hi = 0;
  for (const auto& t : history) {
    const auto v = std::get<int64_t>(t.params.at("batch"));
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_EQ(lo, 1);
  EXPECT_EQ(hi, 8);
}

// Every cell of a k x k grid over two dimensions gets exactly one of the first k^2 points of a
// (0,m,2)-net (Sobol in base 2) and every 1-D stratum of the first b^j Halton points gets one.
TEST(QuasiRandom, SobolFillsEveryStratumOfTheFirstPowerOfTwoPoints) {
  for (uint64_t seed : {1u, 2u}) {
    std::set<std::pair<int, int>> cells;
    for (uint64_t i = 0; i < 256; ++i) {
      const auto p = sobol_point(i, 2, seed);
      ASSERT_GE(p[0], 0);
      ASSERT_LT(p[0], 1);
      cells.insert({static_cast<int>(p[0] * 16), static_cast<int>(p[1] * 16)});
    }
    EXPECT_EQ(cells.size(), 256u);
  }
  // Higher dimensions: each 1-D projection is stratified.
  for (int d = 0; d < 25; ++d) {
    std::set<int> strata;
    for (uint64_t i = 0; i < 64; ++i)
      strata.insert(static_cast<int>(sobol_point(i, 25, 3)[d] * 64));
    EXPECT_GE(strata.size(), d < 20 ? 64u : 40u) << "dimension " << d;
  }
  EXPECT_NE(sobol_point(5, 3, 1), sobol_point(5, 3, 2));
}

TEST(QuasiRandom, HaltonIsStratifiedInEachBase) {
  std::set<int> base2, base3;
  for (uint64_t i = 0; i < 81; ++i) {
    const auto p = halton_point(i, 2, 11);
    if (i < 64) base2.insert(static_cast<int>(p[0] * 64));
    base3.insert(static_cast<int>(p[1] * 81));
  }
  EXPECT_EQ(base2.size(), 64u);
  EXPECT_EQ(base3.size(), 81u);
  EXPECT_NE(halton_point(5, 2, 1), halton_point(5, 2, 2));
}

TEST(QuasiRandom, QuasiSamplerCoversBetterThanIndependentDraws) {
  // Largest empty 1-D gap among 32 points on a uniform parameter.
  SearchSpace space;
  space.params.push_back({"x", ParamType::real, 0, 1, false, 0, {}});
  space.params.push_back({"y", ParamType::real, 0, 1, false, 0, {}});
  auto max_gap = [&](QuasiKind kind) {
    RandomSampler sampler(kind);
    auto h = testing::run_loop(sampler, space, 8, 32, zero);
    std::vector<double> xs;
    for (const auto& t : h) xs.push_back(std::get<double>(t.params.at("x")));
    std::sort(xs.begin(), xs.end());
    double gap = std::max(xs.front(), 1 - xs.back());
    for (size_t i = 1; i < xs.size(); ++i) gap = std::max(gap, xs[i] - xs[i - 1]);
    return gap;
  };
  EXPECT_LE(max_gap(QuasiKind::sobol), 1.0 / 32 * 2 + 1e-9);
  EXPECT_LE(max_gap(QuasiKind::halton), 1.0 / 32 * 2 + 1e-9);
}

}  // namespace
}  // namespace greentune::tune
