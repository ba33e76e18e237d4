#include "greentune/tune/asha_pruner.hpp"

#include <gtest/gtest.h>

#include "greentune/common/error.hpp"
#include "tune/pruner_curves.hpp"

namespace greentune::tune {
namespace {

using testing::curve;
using testing::curve_at;
using testing::decide;
using testing::kNaN;
constexpr auto complete = TrialState::complete;
constexpr auto running = TrialState::running;
constexpr auto pruned = TrialState::pruned;
constexpr auto failed = TrialState::failed;

// A rung's survivors run at least `reduction` times its step: rungs go up to max_step / reduction.
TEST(AshaPrunerTest, RungsAreMinStepTimesPowersOfTheReductionUpToMaxStepOverIt) {
  EXPECT_EQ(AshaPruner(1, 20, 3).rungs(), (std::vector<int>{1, 3}));  // 9 * 3 > 20
  EXPECT_EQ(AshaPruner(1, 27, 3).rungs(), (std::vector<int>{1, 3, 9}));
  EXPECT_EQ(AshaPruner(1, 26, 3).rungs(), (std::vector<int>{1, 3}));
  EXPECT_EQ(AshaPruner(2, 16, 2).rungs(), (std::vector<int>{2, 4, 8}));
  EXPECT_EQ(AshaPruner(1, 9, 2).rungs(), (std::vector<int>{1, 2, 4}));  // not 8: one epoch left
  EXPECT_TRUE(AshaPruner(5, 5, 3).rungs().empty());
  EXPECT_TRUE(AshaPruner(5, 14, 3).rungs().empty());
}

TEST(AshaPrunerTest, NothingIsJudgedPastTheLastRung) {
  AshaPruner pruner(1, 9, 2);  // rungs 1, 2, 4
  const std::vector<Curve> others = {curve(0, complete, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9})};
  // Step 8 would have been a rung below max_step: a 0.1 there against 0.9 is not judged.
  EXPECT_FALSE(
      decide(pruner, curve(1, running, {0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.1}), others).prune);
}

// Issue 9's bench: one early trial's lucky report at a rung stopped every later trial there.
// With min_peers, a rung judges only from that many other trials' reports on.
TEST(AshaPrunerTest, ARungJudgesOnlyOnceMinPeersOthersReportedThere) {
  AshaPruner pruner(1, 20, 2, /*min_peers=*/2);
  const auto lucky = curve(0, complete, {0.9});
  // One other at the rung: the trial continues although 0.5 < 0.9, and says why.
  const auto alone = decide(pruner, curve(1, running, {0.5}), {lucky});
  EXPECT_FALSE(alone.prune);
  EXPECT_NE(alone.reason.find("1 other trial(s) reported there; it judges from 2 on"),
            std::string::npos)
      << alone.reason;
  // Two others: n = 3 keeps 1 -> cut-off 0.9: pruned.
  EXPECT_TRUE(decide(pruner, curve(2, running, {0.5}), {lucky, curve(1, running, {0.6})}).prune);
  // Without the quorum (0) the first comparison already prunes.
  EXPECT_TRUE(decide(AshaPruner(1, 20, 2, 0), curve(1, running, {0.5}), {lucky}).prune);
  // A NaN is pruned whatever the quorum.
  EXPECT_TRUE(decide(pruner, curve(1, running, {kNaN}), {}).prune);
}

TEST(AshaPrunerTest, MinPeersIsCheckedRungByRung) {
  AshaPruner pruner(1, 20, 2, /*min_peers=*/1);  // rungs 1, 2, 4, 8
  // At step 1 two others reported, at step 2 only one: judged at step 1 (passes, 0.8 is the best),
  // then at step 2 against the one other (0.9 there): pruned.
  const std::vector<Curve> others = {curve(0, complete, {0.5, 0.9}), curve(1, pruned, {0.4})};
  EXPECT_FALSE(decide(pruner, curve(2, running, {0.8}), others).prune);
  EXPECT_TRUE(decide(pruner, curve(2, running, {0.8, 0.7}), others).prune);
  EXPECT_THROW(AshaPruner(1, 20, 2, -1), InputError);
}

TEST(AshaPrunerTest, TheFirstTrialThroughARungContinues) {
  AshaPruner pruner(1, 20, 3);
  EXPECT_FALSE(decide(pruner, curve(0, running, {0.1}), {}).prune);
}

// Nine trials reach rung 0 (step 1) one after another, reduction 3; each is judged against those
// before it (pruned ones included). Keep the best max(1, floor(n / 3)) of the n at the rung:
//   t0 0.5: n=1 keep 1: {0.5}                cut-off 0.5 -> continues
//   t1 0.3: n=2 keep 1: {0.5, 0.3}           cut-off 0.5 -> pruned
//   t2 0.7: n=3 keep 1                       cut-off 0.7 -> continues
//   t3 0.2: n=4 keep 1                       cut-off 0.7 -> pruned
//   t4 0.6: n=5 keep 1                       cut-off 0.7 -> pruned
//   t5 0.1: n=6 keep 2: 0.7, 0.6             cut-off 0.6 -> pruned
//   t6 0.8: n=7 keep 2: 0.8, 0.7             cut-off 0.7 -> continues
//   t7 0.4: n=8 keep 2: 0.8, 0.7             cut-off 0.7 -> pruned
//   t8 0.9: n=9 keep 3: 0.9, 0.8, 0.7        cut-off 0.7 -> continues
TEST(AshaPrunerTest, AsynchronousCutsWithWhoeverReachedTheRungSoFar) {
  AshaPruner pruner(1, 20, 3);
  const std::vector<double> rung0 = {0.5, 0.3, 0.7, 0.2, 0.6, 0.1, 0.8, 0.4, 0.9};
  const std::vector<bool> expected = {false, true, false, true, true, true, false, true, false};
  std::vector<Curve> history;
  for (int n = 0; n < 9; ++n) {
    const auto current = curve(n, running, {rung0[static_cast<size_t>(n)]});
    const auto d = decide(pruner, current, history);
    EXPECT_EQ(d.prune, expected[static_cast<size_t>(n)]) << "trial " << n << ": " << d.reason;
    history.push_back(current);
    history.back().state = d.prune ? pruned : running;
  }
}

TEST(AshaPrunerTest, ATieAtTheCutOffContinues) {
  AshaPruner pruner(1, 20, 3);
  // n=2, keep 1: the best is 0.5; a second 0.5 ties it.
  EXPECT_FALSE(decide(pruner, curve(1, running, {0.5}), {curve(0, complete, {0.5})}).prune);
  // n=6, keep 2: {0.9, 0.8, 0.8(self), 0.7, 0.6, 0.5} -> cut-off 0.8: kept.
  const std::vector<Curve> others = {curve(0, complete, {0.9}), curve(1, complete, {0.8}),
                                     curve(2, pruned, {0.7}), curve(3, pruned, {0.6}),
                                     curve(4, pruned, {0.5})};
  EXPECT_FALSE(decide(pruner, curve(5, running, {0.8}), others).prune);
  EXPECT_TRUE(decide(pruner, curve(5, running, {0.79}), others).prune);
}

TEST(AshaPrunerTest, TopThirdOfSixIsTwo) {
  AshaPruner pruner(1, 20, 3);
  // Others at rung 0: 0.9, 0.8, 0.7, 0.6, 0.5. With 0.75: n=6, keep 2 -> {0.9, 0.8}: pruned.
  // With 0.85: keep 2 -> {0.9, 0.85}: continues.
  std::vector<Curve> others;
  for (int i = 0; i < 5; ++i) others.push_back(curve(i, complete, {0.9 - 0.1 * i}));
  EXPECT_TRUE(decide(pruner, curve(5, running, {0.75}), others).prune);
  EXPECT_FALSE(decide(pruner, curve(5, running, {0.85}), others).prune);
}

// Reduction 2, so n=2 keeps 1, n=3 keeps 1 and n=4 keeps 2. Each case flips if the trial of the
// state under test were left out.
TEST(AshaPrunerTest, EveryStateCountsAtARung) {
  AshaPruner pruner(1, 20, 2);
  // Running 0.9, pruned 0.7; 0.75: n=3 keep 1 -> cut-off 0.9: pruned (n=2 without it: kept).
  EXPECT_TRUE(
      decide(pruner, curve(3, running, {0.75}), {curve(0, running, {0.9}), curve(2, pruned, {0.7})})
          .prune);
  // Failed 0.8, pruned 0.7; 0.75: n=3 keep 1 -> cut-off 0.8: pruned (n=2 without it: kept).
  EXPECT_TRUE(
      decide(pruner, curve(3, running, {0.75}), {curve(1, failed, {0.8}), curve(2, pruned, {0.7})})
          .prune);
  // Complete 0.8, pruned 0.7 and 0.6; 0.75: n=4 keep 2 -> {0.8, 0.75}: kept (without the pruned
  // ones n=2 keep 1 -> cut-off 0.8: pruned).
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.75}),
                      {curve(0, complete, {0.8}), curve(1, pruned, {0.7}), curve(2, pruned, {0.6})})
                   .prune);
}

TEST(AshaPrunerTest, ATrialIsJudgedOnlyWhenItReachesARung) {
  AshaPruner pruner(1, 20, 3);
  const std::vector<Curve> others = {curve(0, complete, {0.5, 0.6, 0.9, 0.9})};
  // Step 1 (rung 0): 0.8 vs 0.5, the best of two: continues.
  EXPECT_FALSE(decide(pruner, curve(1, running, {0.8}), others).prune);
  // Step 2 is no rung: a dismal 0.1 there is not judged.
  EXPECT_FALSE(decide(pruner, curve(1, running, {0.8, 0.1}), others).prune);
  // Step 3 (rung 1): 0.2 against the other's 0.9 at step 3: pruned.
  EXPECT_TRUE(decide(pruner, curve(1, running, {0.8, 0.1, 0.2}), others).prune);
  // Step 4 is past rung 1 and before rung 2 (step 9): not judged again.
  EXPECT_FALSE(decide(pruner, curve(1, running, {0.8, 0.1, 0.2, 0.2}), others).prune);
}

TEST(AshaPrunerTest, GapsAreJudgedAtTheFirstReportPastTheRung) {
  AshaPruner pruner(1, 20, 3);
  // The other reported steps 1 and 5: its rung-1 (step 3) value is its step-5 report, 0.6.
  const std::vector<Curve> others = {curve_at(0, complete, {{1, 0.5}, {5, 0.6}})};
  // The current jumps from step 1 to step 4: rung 1 is crossed, judged on the step-4 value.
  EXPECT_TRUE(decide(pruner, curve_at(1, running, {{1, 0.9}, {4, 0.55}}), others).prune);
  EXPECT_FALSE(decide(pruner, curve_at(1, running, {{1, 0.9}, {4, 0.65}}), others).prune);
}

TEST(AshaPrunerTest, AJumpOverSeveralRungsIsJudgedAtEach) {
  AshaPruner pruner(1, 27, 3);
  // The other: 0.5 at rung 1 (step 3), 0.9 at rung 2 (step 9). The current jumps from step 1 to
  // step 10 with 0.7: rung 1 passes (0.7 >= 0.5) but rung 2 prunes (0.7 < 0.9).
  const std::vector<Curve> others = {curve_at(0, complete, {{1, 0.1}, {3, 0.5}, {9, 0.9}})};
  const auto d = decide(pruner, curve_at(1, running, {{1, 0.9}, {10, 0.7}}), others);
  EXPECT_TRUE(d.prune);
  EXPECT_NE(d.reason.find("rung 2 (step 9)"), std::string::npos) << d.reason;
}

TEST(AshaPrunerTest, NeverPrunesBeforeMinStepNorAtMaxStep) {
  AshaPruner pruner(/*min_step=*/2, /*max_step=*/8, /*reduction=*/2);  // rungs 2, 4
  const std::vector<Curve> others = {curve(0, complete, {1, 1, 1, 1, 1, 1, 1, 1})};
  EXPECT_FALSE(decide(pruner, curve(1, running, {0.0}), others).prune);      // step 1
  EXPECT_TRUE(decide(pruner, curve(1, running, {0.0, 0.0}), others).prune);  // rung 2
  // Step 8 is the full length: no rung there.
  EXPECT_FALSE(decide(pruner, curve_at(1, running, {{7, 0.0}, {8, 0.0}}), others).prune);
}

TEST(AshaPrunerTest, ANanAtARungIsPrunedEvenAlone) {
  AshaPruner pruner(1, 20, 3);
  EXPECT_TRUE(decide(pruner, curve(0, running, {kNaN}), {}).prune);
}

TEST(AshaPrunerTest, OthersNanRungValuesRankLast) {
  AshaPruner pruner(1, 20, 3);
  // Others NaN, NaN: n=3 keep 1, and 0.1 beats two NaNs: continues.
  const std::vector<Curve> others = {curve(0, complete, {kNaN}), curve(1, pruned, {kNaN})};
  EXPECT_FALSE(decide(pruner, curve(2, running, {0.1}), others).prune);
}

TEST(AshaPrunerTest, MinimisingKeepsTheLowestLosses) {
  AshaPruner pruner(1, 20, 3);
  // Losses at rung 0: 0.2, 0.4, 0.6, 0.8, 1.0; with 0.3 n=6 keep 2 -> {0.2, 0.3}: kept;
  // with 0.5 -> {0.2, 0.4}: pruned.
  std::vector<Curve> others;
  for (int i = 0; i < 5; ++i) others.push_back(curve(i, complete, {0.2 + 0.2 * i}));
  EXPECT_FALSE(decide(pruner, curve(5, running, {0.3}), others, Direction::minimize).prune);
  EXPECT_TRUE(decide(pruner, curve(5, running, {0.5}), others, Direction::minimize).prune);
}

TEST(AshaPrunerTest, RunningTrialsPartialCurvesCountOnlyAtRungsTheyReached) {
  AshaPruner pruner(1, 20, 2);
  // At rung 1 (step 2) only the other that got to step 2 competes: the running one at step 1 does
  // not. With it, n=3 keep 1 would need >= 0.95.
  const std::vector<Curve> others = {curve(0, complete, {0.5, 0.6}), curve(1, running, {0.95})};
  EXPECT_FALSE(decide(pruner, curve(2, running, {0.99, 0.7}), others).prune);
}

}  // namespace
}  // namespace greentune::tune
