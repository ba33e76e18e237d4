#include "greentune/tune/median_pruner.hpp"

#include <gtest/gtest.h>

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

// Three complete accuracy curves (maximise). Medians by hand:
//   step 1: {0.50, 0.40, 0.30} -> 0.40     step 2: {0.60, 0.55, 0.50} -> 0.55
//   step 3: {0.70, 0.65, 0.80} -> 0.70
std::vector<Curve> three_complete() {
  return {curve(0, complete, {0.50, 0.60, 0.70}), curve(1, complete, {0.40, 0.55, 0.65}),
          curve(2, complete, {0.30, 0.50, 0.80})};
}

TEST(MedianPrunerTest, PrunesBelowTheMedianAtTheSameStep) {
  MedianPruner pruner(/*min_step=*/1, /*max_step=*/0, /*warmup_trials=*/3);
  const auto history = three_complete();
  EXPECT_TRUE(decide(pruner, curve(3, running, {0.35}), history).prune);   // 0.35 < 0.40
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.45}), history).prune);  // 0.45 >= 0.40
}

TEST(MedianPrunerTest, ATieWithTheMedianKeepsTheTrial) {
  MedianPruner pruner(1, 0, 3);
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.40}), three_complete()).prune);
}

TEST(MedianPrunerTest, JudgesTheBestSoFarNotTheValueAtTheStep) {
  MedianPruner pruner(1, 0, 3);
  // Step 2: the value there, 0.45, is below the median 0.55, but the best so far (0.60, step 1)
  // is not: kept.
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.60, 0.45}), three_complete()).prune);
  // Best so far 0.52 < 0.55: pruned.
  EXPECT_TRUE(decide(pruner, curve(3, running, {0.42, 0.52}), three_complete()).prune);
}

TEST(MedianPrunerTest, MinimisingComparesTheLowestLossWithTheMedian) {
  MedianPruner pruner(1, 0, 3);
  const std::vector<Curve> losses = {curve(0, complete, {1.0, 0.8}), curve(1, complete, {1.2, 0.9}),
                                     curve(2, complete, {1.4, 1.0})};
  // Step 1 median 1.2: 1.3 is worse (higher), 1.1 better.
  EXPECT_TRUE(decide(pruner, curve(3, running, {1.3}), losses, Direction::minimize).prune);
  EXPECT_FALSE(decide(pruner, curve(3, running, {1.1}), losses, Direction::minimize).prune);
  // Step 2 median 0.9; best so far min(0.95, 1.5) = 0.95 > 0.9: pruned.
  EXPECT_TRUE(decide(pruner, curve(3, running, {0.95, 1.5}), losses, Direction::minimize).prune);
}

TEST(MedianPrunerTest, NothingIsPrunedDuringTheWarmUp) {
  MedianPruner pruner(1, 0, 3);
  auto history = three_complete();
  history[2].state = running;  // only two complete: warm-up goes on
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.0}), history).prune);
  history[2].state = complete;
  EXPECT_TRUE(decide(pruner, curve(3, running, {0.0}), history).prune);
}

TEST(MedianPrunerTest, NoWarmUpStillNeedsACompleteTrialToCompareWith) {
  MedianPruner pruner(1, 0, 0);
  EXPECT_FALSE(decide(pruner, curve(1, running, {0.0}), {curve(0, running, {0.9})}).prune);
}

TEST(MedianPrunerTest, NeverPrunesBeforeMinStepNorAtTheFullLength) {
  MedianPruner pruner(/*min_step=*/2, /*max_step=*/3, 3);
  const auto history = three_complete();
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.0}), history).prune);            // step 1
  EXPECT_TRUE(decide(pruner, curve(3, running, {0.0, 0.0}), history).prune);        // step 2
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.0, 0.0, 0.0}), history).prune);  // step 3
}

TEST(MedianPrunerTest, RunningAndPrunedTrialsAreNotInTheMedian) {
  MedianPruner pruner(1, 0, 3);
  auto history = three_complete();
  history.push_back(curve(4, running, {0.9}));  // would raise the median to 0.45
  history.push_back(curve(5, pruned, {0.1}));
  history.push_back(curve(6, pruned, {0.1}));  // 5 and 6 would lower it to 0.30
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.42}), history).prune);
  EXPECT_TRUE(decide(pruner, curve(3, running, {0.38}), history).prune);
}

TEST(MedianPrunerTest, AnEvenCountTakesTheMeanOfTheMiddleTwo) {
  MedianPruner pruner(1, 0, 3);
  auto history = three_complete();
  history.push_back(curve(4, complete, {0.20}));  // step 1: {0.2, 0.3, 0.4, 0.5} -> 0.35
  EXPECT_TRUE(decide(pruner, curve(5, running, {0.34}), history).prune);
  EXPECT_FALSE(decide(pruner, curve(5, running, {0.35}), history).prune);
}

TEST(MedianPrunerTest, ALastReportOfNanIsPruned) {
  MedianPruner pruner(1, 0, 3);
  EXPECT_TRUE(decide(pruner, curve(3, running, {kNaN}), three_complete()).prune);
  // Good at step 1, NaN at step 2: diverged, pruned although the best so far beats the median.
  EXPECT_TRUE(decide(pruner, curve(3, running, {0.9, kNaN}), three_complete()).prune);
  // A NaN earlier on is just the worst value: the best so far (0.6) decides.
  EXPECT_FALSE(decide(pruner, curve(3, running, {kNaN, 0.6}), three_complete()).prune);
  // Before min_step a NaN does not prune either.
  MedianPruner later(2, 0, 3);
  EXPECT_FALSE(decide(later, curve(3, running, {kNaN}), three_complete()).prune);
}

TEST(MedianPrunerTest, OthersNanReportsCountAsTheWorstValue) {
  MedianPruner pruner(1, 0, 3);
  auto history = three_complete();
  history[2] = curve(2, complete, {kNaN, 0.5, 0.8});
  // Step 1: {0.5, 0.4, worst} -> median 0.4 (leaving the NaN out would make it 0.45).
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.42}), history).prune);
  EXPECT_TRUE(decide(pruner, curve(3, running, {0.39}), history).prune);
}

TEST(MedianPrunerTest, GapsCompareOnlyTrialsThatReportedTheStep) {
  MedianPruner pruner(1, 0, 3);
  const std::vector<Curve> history = {curve_at(0, complete, {{1, 0.5}, {3, 0.7}}),  // no step 2
                                      curve_at(1, complete, {{1, 0.4}, {2, 0.55}, {3, 0.65}}),
                                      curve_at(2, complete, {{1, 0.3}, {2, 0.50}, {3, 0.80}})};
  // Step 2: {0.55, 0.50} -> 0.525.
  EXPECT_TRUE(decide(pruner, curve(3, running, {0.0, 0.52}), history).prune);
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.0, 0.53}), history).prune);
  // Step 4: no complete trial got there: kept.
  EXPECT_FALSE(decide(pruner, curve(3, running, {0.0, 0.0, 0.0, 0.0}), history).prune);
  // A current curve with a gap is judged at its last step (3, median 0.70); best so far 0.6.
  EXPECT_TRUE(decide(pruner, curve_at(3, running, {{1, 0.6}, {3, 0.1}}), history).prune);
}

TEST(MedianPrunerTest, SkipsItsOwnEntryInTheHistory) {
  MedianPruner pruner(1, 0, /*warmup_trials=*/4);
  auto history = three_complete();
  auto current = curve(3, complete, {0.0});
  history.push_back(current);
  // Even if the store already calls it complete, it is not one of the warm-up trials: three of
  // four complete, kept.
  EXPECT_FALSE(decide(pruner, current, history).prune);
  history.push_back(curve(4, complete, {0.5}));
  EXPECT_TRUE(decide(pruner, current, history).prune);
}

TEST(MedianPrunerTest, SaysWhyInTheReason) {
  MedianPruner pruner(1, 0, 3);
  const auto d = decide(pruner, curve(3, running, {0.35}), three_complete());
  EXPECT_NE(d.reason.find("0.35"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("median 0.4"), std::string::npos) << d.reason;
}

}  // namespace
}  // namespace greentune::tune
