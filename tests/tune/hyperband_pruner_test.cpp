#include "greentune/tune/hyperband_pruner.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "tune/pruner_curves.hpp"

namespace greentune::tune {
namespace {

using testing::curve;
using testing::decide;
constexpr auto complete = TrialState::complete;
constexpr auto running = TrialState::running;

TEST(HyperbandPrunerTest, BracketsStartPruningAtSuccessiveRungs) {
  // min 1, max 20, reduction 3: first rungs 1, 3, 9 (27 > 20) -> three brackets. Rungs stop at
  // 20 / 3 (ASHA's last rung), so the third bracket (first rung 9) never prunes, as Hyperband's
  // bracket of full-length trials.
  HyperbandPruner pruner(1, 20, 3);
  ASSERT_EQ(pruner.brackets(), 3);
  EXPECT_EQ(pruner.bracket(0).rungs(), (std::vector<int>{1, 3}));
  EXPECT_EQ(pruner.bracket(1).rungs(), (std::vector<int>{3}));
  EXPECT_TRUE(pruner.bracket(2).rungs().empty());
  // max 27: every bracket gets one more rung.
  HyperbandPruner longer(1, 27, 3);
  ASSERT_EQ(longer.brackets(), 4);
  EXPECT_EQ(longer.bracket(0).rungs(), (std::vector<int>{1, 3, 9}));
  EXPECT_EQ(longer.bracket(2).rungs(), (std::vector<int>{9}));
  EXPECT_TRUE(longer.bracket(3).rungs().empty());
}

TEST(HyperbandPrunerTest, WeightsFollowOptunasAllocation) {
  // B = 3, reduction 3: ceil(3 * 3^s / (s + 1)) for s = 2, 1, 0 -> 9, 5, 3.
  EXPECT_EQ(HyperbandPruner(1, 20, 3).weights(), (std::vector<int>{9, 5, 3}));
  // B = 4 (1, 2, 4, 8 <= 10), reduction 2: s = 3..0 -> ceil(4*8/4)=8, ceil(4*4/3)=6,
  // ceil(4*2/2)=4, ceil(4/1)=4.
  EXPECT_EQ(HyperbandPruner(1, 10, 2).weights(), (std::vector<int>{8, 6, 4, 4}));
}

TEST(HyperbandPrunerTest, TrialNumbersFillBracketsInAnInterleavedCycle) {
  HyperbandPruner pruner(1, 20, 3);
  // Smooth weighted round-robin over weights 9, 5, 3 (total 17), by hand:
  //   slot 0: credits 9,5,3 -> 0 (-8,5,3)   slot 1: 1,10,6 -> 1 (1,-7,6)
  //   slot 2: 10,-2,9 -> 0 (-7,-2,9)        slot 3: 2,3,12 -> 2 (2,3,-5)
  //   slot 4: 11,8,-2 -> 0
  EXPECT_EQ(pruner.bracket_of(0), 0);
  EXPECT_EQ(pruner.bracket_of(1), 1);
  EXPECT_EQ(pruner.bracket_of(2), 0);
  EXPECT_EQ(pruner.bracket_of(3), 2);
  EXPECT_EQ(pruner.bracket_of(4), 0);
  std::map<int, int> per_bracket;
  for (int n = 0; n < 17; ++n) {
    ++per_bracket[pruner.bracket_of(n)];
    EXPECT_EQ(pruner.bracket_of(n), pruner.bracket_of(n + 17)) << n;
    EXPECT_EQ(pruner.bracket_of(n), pruner.bracket_of(n + 17 * 1000)) << n;
  }
  EXPECT_EQ(per_bracket[0], 9);
  EXPECT_EQ(per_bracket[1], 5);
  EXPECT_EQ(per_bracket[2], 3);
}

TEST(HyperbandPrunerTest, ATrialCompetesOnlyWithinItsBracket) {
  HyperbandPruner pruner(1, 20, 3);
  // Trials 0 and 2 are in bracket 0 (first rung: step 1), trial 1 in bracket 1 (step 3).
  // Trial 2 at step 1 with 0.4: its bracket holds trial 0 (0.5): n=2 keep 1 -> pruned.
  const std::vector<Curve> history = {curve(0, complete, {0.5, 0.6, 0.7}),
                                      curve(1, running, {0.1})};
  EXPECT_TRUE(decide(pruner, curve(2, running, {0.4}), history).prune);
  // Trial 1 (bracket 1) is not judged at step 1, however bad.
  EXPECT_FALSE(decide(pruner, curve(1, running, {0.0}), history).prune);
  // A brilliant trial in another bracket does not raise bracket 0's cut-off: trial 2 with 0.55
  // beats trial 0 and continues although trial 1 has 0.99.
  const std::vector<Curve> with_star = {curve(0, complete, {0.5}), curve(1, running, {0.99})};
  const auto d = decide(pruner, curve(2, running, {0.55}), with_star);
  EXPECT_FALSE(d.prune);
  EXPECT_EQ(d.reason.rfind("bracket 0:", 0), 0u) << d.reason;
}

// A deterministic learning curve per trial, so "workers" can be simulated.
double accuracy(int trial, int step) {
  const double quality = 0.5 + 0.4 * std::fmod(trial * 0.618034, 1.0);
  return quality * (1 - std::exp(-0.5 * step));
}

// Two workers share one store: each sees the same history (in whatever order the store returns
// it) and owns its own pruner object. Every decision must agree, and so must a third pruner built
// later (a worker that joined or restarted).
TEST(HyperbandPrunerTest, WorkersWithTheSameHistoryDecideTheSame) {
  const HyperbandPruner worker_a(1, 20, 3);
  std::vector<Curve> store;
  int pruned_count = 0;
  for (int n = 0; n < 30; ++n) {
    Curve current{n, running, {}};
    for (int step = 1; step <= 20; ++step) {
      current.points.push_back({step, accuracy(n, step)});
      const HyperbandPruner worker_b(1, 20, 3);
      auto reversed = store;
      std::reverse(reversed.begin(), reversed.end());
      const auto a = decide(worker_a, current, store);
      const auto b = decide(worker_b, current, reversed);
      ASSERT_EQ(a.prune, b.prune) << "trial " << n << " step " << step;
      EXPECT_EQ(a.reason, b.reason);
      if (a.prune) {
        current.state = TrialState::pruned;
        ++pruned_count;
        break;
      }
    }
    if (current.state == running) current.state = complete;
    store.push_back(current);
  }
  // The check means something only if both outcomes occurred.
  EXPECT_GT(pruned_count, 0);
  EXPECT_LT(pruned_count, 30);
}

}  // namespace
}  // namespace greentune::tune
