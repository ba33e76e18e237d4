// Two worker processes on one pruned SQLite study (prune_worker, see prune_worker.cpp): the
// pruner decides from the store, so each worker's trials are judged against the other's, and a
// worker killed mid-rung leaves its reports for the others to be judged against, blocking nobody.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "greentune/store/sqlite_storage.hpp"
#include "store/store_test_support.hpp"

using namespace greentune;
using store_test::TempDir;

namespace {

pid_t spawn_prune_worker(const std::vector<std::string>& args) {
  return store_test::spawn_program(PRUNE_WORKER, args);
}

// Waits until `marker` holds the line `line` (or the timeout passes).
bool wait_for_line(const std::string& marker, const std::string& line,
                   std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(marker);
    std::string text;
    while (std::getline(in, text))
      if (text == line) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::vector<tune::Trial> trials_of(const std::string& db, const std::string& study) {
  store::SqliteStorage storage(db);
  auto info = storage.find_study(study);
  if (!info) return {};
  return storage.trials(info->id);
}

}  // namespace

TEST(PruningWorkers, TwoWorkersJudgeTheirTrialsAgainstEachOthers) {
  TempDir dir;
  const std::string db = dir.file("shared.db");
  const std::string marker = dir.file("marker");
  // The good worker's trials beat every earlier trial; the bad one's lose to every earlier one.
  // The bad worker starts once a good trial has reported at the first rung (step 1), so every
  // bad trial meets at least one better trial there: decided from the store, each is pruned at
  // step 1; decided from its own worker's trials alone, its first would have continued.
  pid_t good = spawn_prune_worker({db, "pair", "8", "4", "good", "3", "150", marker});
  ASSERT_TRUE(wait_for_line(marker, "report 1 1", std::chrono::seconds(30)));
  pid_t bad = spawn_prune_worker({db, "pair", "8", "4", "bad", "3", "150", marker});
  ASSERT_EQ(store_test::exit_code_of(good), 0);
  ASSERT_EQ(store_test::exit_code_of(bad), 0);

  auto trials = trials_of(db, "pair");
  ASSERT_EQ(trials.size(), 8u);
  std::map<int64_t, int> complete_by_pid, pruned_by_pid;
  for (const auto& t : trials) {
    ASSERT_FALSE(t.intermediate.empty()) << "trial " << t.number;
    const bool is_good = t.intermediate[0].values.at(0) > 0;
    if (is_good) {
      EXPECT_EQ(t.state, tune::TrialState::complete) << "good trial " << t.number;
      EXPECT_EQ(t.intermediate.size(), 3u);
      ++complete_by_pid[t.pid];
    } else {
      EXPECT_EQ(t.state, tune::TrialState::pruned) << "bad trial " << t.number;
      ASSERT_EQ(t.intermediate.size(), 1u);  // stopped at the first rung, its report kept
      EXPECT_EQ(t.intermediate[0].step, 1);
      EXPECT_DOUBLE_EQ(t.joules, 1.0);
      ++pruned_by_pid[t.pid];
    }
  }
  // Each worker ran its own kind, 4 trials each; pruned trials are rounds (8 in all).
  ASSERT_EQ(complete_by_pid.size(), 1u);
  ASSERT_EQ(pruned_by_pid.size(), 1u);
  EXPECT_EQ(complete_by_pid.begin()->second, 4);
  EXPECT_EQ(pruned_by_pid.begin()->second, 4);
  EXPECT_NE(complete_by_pid.begin()->first, pruned_by_pid.begin()->first);
}

TEST(PruningWorkers, WorkerKilledMidRungBlocksNobodyAndItsReportsStillCount) {
  TempDir dir;
  const std::string db = dir.file("dead.db");
  const std::string marker = dir.file("marker");
  // A good worker reports its first trial's step 1, then sleeps long enough to be killed there.
  pid_t doomed = spawn_prune_worker({db, "dead", "3", "1", "good", "3", "60000", marker});
  ASSERT_TRUE(wait_for_line(marker, "report 1 1", std::chrono::seconds(30)));
  kill(doomed, SIGKILL);
  EXPECT_EQ(store_test::exit_code_of(doomed), 128 + SIGKILL);

  // Another worker goes on at once: nothing waits for the dead trial's rung to fill, and its
  // report (better than every bad trial) still decides the rung.
  pid_t bad = spawn_prune_worker({db, "dead", "3", "3", "bad", "3", "10", marker});
  ASSERT_EQ(store_test::exit_code_of(bad), 0);
  auto trials = trials_of(db, "dead");
  ASSERT_EQ(trials.size(), 4u);
  EXPECT_EQ(trials[0].state, tune::TrialState::failed);  // its process is gone
  EXPECT_TRUE(trials[0].retry);
  ASSERT_EQ(trials[0].intermediate.size(), 1u);  // its reports stay in the history
  for (size_t i = 1; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i].state, tune::TrialState::pruned) << "trial " << trials[i].number;
    EXPECT_EQ(trials[i].intermediate.size(), 1u);
  }
}
