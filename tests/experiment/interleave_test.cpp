#include "greentune/experiment/interleave.hpp"

#include <gtest/gtest.h>

namespace greentune::experiment {
namespace {

using Turns = std::vector<size_t>;

TEST(Interleave, EveryArmRunsRoundRBeforeAnyRunsRoundRPlusOne) {
  std::vector<ArmProgress> arms = {{0, 3}, {0, 3}, {0, 3}};
  std::vector<std::vector<size_t>> order;
  for (auto turns = next_turns(arms); !turns.empty(); turns = next_turns(arms)) {
    order.push_back(turns);
    for (size_t i : turns) ++arms[i].finished;
  }
  // Three rounds; each starts one arm further on, so no arm always goes first.
  EXPECT_EQ(order, (std::vector<Turns>{{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}));
}

TEST(Interleave, AResumedRoundFinishesTheArmsBehindFirst) {
  // Interrupted in round 5 (index 4) after arm 0 finished it: arms 1 and 2 catch up first.
  std::vector<ArmProgress> arms = {{5, 8}, {4, 8}, {4, 8}};
  EXPECT_EQ(next_turns(arms), (Turns{1, 2}));
  arms[1].finished = 5;
  arms[2].finished = 5;
  EXPECT_EQ(next_turns(arms), (Turns{2, 0, 1}));
}

TEST(Interleave, DoneAndExhaustedArmsStepAside) {
  std::vector<ArmProgress> arms = {{2, 2}, {1, 4}, {1, 4, true}};
  EXPECT_EQ(next_turns(arms), (Turns{1}));
  arms[1].finished = 4;
  EXPECT_TRUE(next_turns(arms).empty());
  EXPECT_TRUE(next_turns({}).empty());
}

}  // namespace
}  // namespace greentune::experiment
