// Several processes on one SQLite study (store_worker, see store_worker.cpp): no point taken
// twice, no lost write, and a worker killed mid-trial leaves a trial that is failed and re-run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "greentune/store/sqlite_storage.hpp"
#include "store/store_test_support.hpp"

using namespace greentune;
using store_test::TempDir;

namespace {

pid_t spawn_worker(const std::vector<std::string>& args) {
  return store_test::spawn_program(STORE_WORKER, args);
}

std::vector<tune::Trial> study_trials(const std::string& db, const std::string& study) {
  store::SqliteStorage storage(db);
  auto info = storage.find_study(study);
  if (!info) return {};
  return storage.trials(info->id);
}

// Waits until the marker file has at least `lines` lines (or the timeout passes).
bool wait_for_lines(const std::string& path, size_t lines, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    size_t count = 0;
    std::string line;
    while (std::getline(in, line)) ++count;
    if (count >= lines) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(WorkerProcesses, TwoWorkersNeverTakeTheSamePointAndLoseNoWrite) {
  TempDir dir;
  std::string db = dir.file("shared.db");
  // 24 points, 24 rounds, 30 ms per trial: the workers overlap for the whole study.
  std::vector<std::string> args{db, "grid", "24", "24", "30", "0.5", "5"};
  pid_t a = spawn_worker(args);
  pid_t b = spawn_worker(args);
  ASSERT_EQ(store_test::exit_code_of(a), 0);
  ASSERT_EQ(store_test::exit_code_of(b), 0);

  auto trials = study_trials(db, "grid");
  ASSERT_EQ(trials.size(), 24u);
  std::set<int64_t> points;
  std::set<int> numbers;
  std::set<std::string> hosts;
  for (const auto& t : trials) {
    EXPECT_EQ(t.state, tune::TrialState::complete) << "trial " << t.number;
    int64_t x = std::get<int64_t>(t.params.at("x"));
    points.insert(x);
    numbers.insert(t.number);
    ASSERT_TRUE(t.value());
    EXPECT_DOUBLE_EQ(*t.value(), static_cast<double>(x * x));  // each worker's own write survived
    ASSERT_EQ(t.intermediate.size(), 1u);
    EXPECT_EQ(t.intermediate[0].values, std::vector<double>{static_cast<double>(x)});
  }
  EXPECT_EQ(points.size(), 24u) << "a point was evaluated twice";
  EXPECT_EQ(numbers.size(), 24u);
  EXPECT_EQ(*numbers.begin(), 1);  // 1-based, no gaps
  EXPECT_EQ(*numbers.rbegin(), 24);
}

TEST(WorkerProcesses, KilledWorkerTrialIsFailedAndRerunNeverCountedTwice) {
  TempDir dir;
  std::string db = dir.file("resume.db");
  std::string marker = dir.file("marker");
  // 4 rounds of 400 ms; beat every 0.1 s, stale after 0.5 s.
  std::vector<std::string> args{db, "resume", "4", "10", "400", "0.1", "0.5", marker};
  pid_t first = spawn_worker(args);
  ASSERT_TRUE(wait_for_lines(marker, 2, std::chrono::seconds(20)));  // second trial under way
  kill(first, SIGKILL);
  EXPECT_EQ(store_test::exit_code_of(first), 128 + SIGKILL);

  auto after_kill = study_trials(db, "resume");
  ASSERT_EQ(after_kill.size(), 2u);
  EXPECT_EQ(after_kill[0].state, tune::TrialState::complete);
  EXPECT_EQ(after_kill[1].state, tune::TrialState::running);  // left behind by the dead process
  int64_t lost_point = std::get<int64_t>(after_kill[1].params.at("x"));

  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // let its heartbeat go stale
  pid_t second = spawn_worker(args);
  ASSERT_EQ(store_test::exit_code_of(second), 0);

  auto trials = study_trials(db, "resume");
  int complete = 0, failed = 0;
  std::multiset<int64_t> complete_points;
  for (const auto& t : trials) {
    if (t.state == tune::TrialState::complete) {
      ++complete;
      complete_points.insert(std::get<int64_t>(t.params.at("x")));
    }
    if (t.state == tune::TrialState::failed) {
      ++failed;
      EXPECT_EQ(t.number, 2);
      EXPECT_THAT(t.error, ::testing::HasSubstr("stale"));
      EXPECT_TRUE(t.retry);
    }
    EXPECT_NE(t.state, tune::TrialState::running);
  }
  EXPECT_EQ(complete, 4);  // the rounds, exactly
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(complete_points.count(lost_point), 1u) << "the killed trial's point was not re-run";
  EXPECT_EQ(std::set<int64_t>(complete_points.begin(), complete_points.end()).size(), 4u);

  // Running again with the study complete does nothing.
  pid_t third = spawn_worker(args);
  ASSERT_EQ(store_test::exit_code_of(third), 0);
  EXPECT_EQ(study_trials(db, "resume").size(), trials.size());
}

TEST(WorkerProcesses, KilledWorkerOnThisHostIsDetectedWithoutWaitingForStaleness) {
  TempDir dir;
  std::string db = dir.file("local.db");
  std::string marker = dir.file("marker");
  // Stale only after 60 s: the rerun must notice the dead pid instead.
  std::vector<std::string> args{db, "local", "3", "10", "300", "10", "60", marker};
  pid_t first = spawn_worker(args);
  ASSERT_TRUE(wait_for_lines(marker, 1, std::chrono::seconds(20)));
  kill(first, SIGKILL);
  store_test::exit_code_of(first);
  auto start = std::chrono::steady_clock::now();
  pid_t second = spawn_worker(args);
  ASSERT_EQ(store_test::exit_code_of(second), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  auto trials = study_trials(db, "local");
  int complete = 0;
  for (const auto& t : trials) {
    if (t.state == tune::TrialState::complete) ++complete;
    EXPECT_NE(t.state, tune::TrialState::running);
  }
  EXPECT_EQ(complete, 3);
  EXPECT_EQ(trials[0].state, tune::TrialState::failed);
  EXPECT_THAT(trials[0].error, ::testing::HasSubstr("gone"));
}

TEST(WorkerProcesses, SigtermMarksTheRunningTrialFailedAndExits) {
  TempDir dir;
  std::string db = dir.file("term.db");
  std::string marker = dir.file("marker");
  std::vector<std::string> args{db, "term", "3", "10", "5000", "10", "60", marker};
  pid_t worker = spawn_worker(args);
  ASSERT_TRUE(wait_for_lines(marker, 1, std::chrono::seconds(20)));
  kill(worker, SIGTERM);
  EXPECT_EQ(store_test::exit_code_of(worker), 128 + SIGTERM);
  auto trials = study_trials(db, "term");
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].state, tune::TrialState::failed);
  EXPECT_THAT(trials[0].error, ::testing::HasSubstr("interrupted"));
  EXPECT_TRUE(trials[0].retry);
  // Regression: it was stored with 0 s and 0 J. It keeps the time it ran and the joules of its
  // last report (the worker reports 0.25 x + 1 at its start).
  EXPECT_GT(trials[0].seconds, 0.0);
  double x = static_cast<double>(std::get<int64_t>(trials[0].params.at("x")));
  EXPECT_DOUBLE_EQ(trials[0].joules, 0.25 * x + 1);
}

}  // namespace
