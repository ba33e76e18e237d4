// End-to-end: `greentune experiment` and `greentune sweep` as a user runs them: output, the
// report at the end, exit codes, and an interrupted run (SIGTERM) that the same command resumes.
// Training needs LibTorch, so these tests exist only in builds with it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#if GREENTUNE_HAS_TORCH
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "cli/cli_test_support.hpp"
#include "cli/idx_files.hpp"
#include "greentune/store/open_storage.hpp"

namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;

// Raw IDX files shaped like FashionMNIST; class k lights two rows, so one epoch learns something.
void write_data(const fs::path& dir, const std::string& prefix, uint32_t count, unsigned seed) {
  std::mt19937 rng(seed);
  greentune::idx_testing::write_idx_pair(dir, prefix, count, [&](std::string& image) {
    uint8_t label = static_cast<uint8_t>(rng() % 10);
    for (int p = 0; p < 28 * 28; ++p) {
      int row = p / 28;
      bool band = row == 2 * label + 3 || row == 2 * label + 4;
      image[static_cast<size_t>(p)] = static_cast<char>(band ? 220 : rng() % 40);
    }
    return label;
  });
}

class ExperimentCli : public CliTest {
 protected:
  ExperimentCli() : CliTest("experiment") {}
  void SetUp() override {
    CliTest::SetUp();
    fs::create_directories(dir_ / "fm");
    write_data(dir_ / "fm", "train", 600, 1);
    write_data(dir_ / "fm", "t10k", 200, 2);
  }

  fs::path write_config(int rounds, int epochs = 1) {
    std::ofstream(dir_ / "exp.toml")
        << "[experiment]\nname = \"e\"\nstorage = \"sqlite:e.db\"\nstrategies "
           "= [\"random\", "
           "\"grid\"]\nrounds = "
        << rounds
        << "\nreport = \"rep\"\n[space.lr]\ntype = \"float\"\nlow = 1e-3\nhigh "
           "= 1e-2\nlog = "
           "true\n[sampler]\ngrid_points = 4\n[train]\nmodel = "
           "\"densepoly\"\ndata_dir = \""
        << (dir_ / "fm").string() << "\"\nepochs = " << epochs
        << "\nbatch_size = 32\nthreads = 1\n[sweep]\nconv = [1]\nlinear = [3]\n"
           "relu = [false, true]\n";
    return dir_ / "exp.toml";
  }
};

TEST_F(ExperimentCli, RunsThenReportsWhereTheReportIs) {
  write_config(2);
  const CliRun run = run_cli("experiment exp.toml --no-energy", "run");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("e/random round 2/2"));
  EXPECT_THAT(run.out, HasSubstr("e/sweep round 2/2"));
  EXPECT_THAT(run.out, HasSubstr("report: rep/report.html"));
  EXPECT_TRUE(fs::exists(dir_ / "rep" / "report.html"));
  // `sweep` on a finished sweep has nothing left to do.
  const CliRun sweep = run_cli("sweep exp.toml --no-energy --no-report", "sweep");
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  EXPECT_THAT(sweep.out, HasSubstr("0 rounds run now"));
}

TEST_F(ExperimentCli, BadConfigExitsTwoWithTheKey) {
  std::ofstream(dir_ / "bad.toml") << "[experiment]\nname = \"x\"\nrepetitions = 0\n";
  const CliRun bad = run_cli("experiment bad.toml", "bad");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("experiment.repetitions"));
  EXPECT_FALSE(fs::exists(dir_ / "greentune.db"));
}

// Regression: [train] metrics was accepted by experiments and then ignored (their objective
// reports accuracy alone).
TEST_F(ExperimentCli, OtherMetricsThanAccuracyAreRefused) {
  std::ofstream(dir_ / "mo.toml") << "[experiment]\nname = \"x\"\nstorage = \"sqlite:mo.db\"\n"
                                     "[space.lr]\ntype = \"float\"\nlow = 1e-3\nhigh = 1e-2\n"
                                     "[train]\nmetrics = [\"accuracy\", \"joules\"]\n";
  const CliRun bad = run_cli("experiment mo.toml", "metrics");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("train.metrics: experiments tune and sweep on accuracy alone"));
  EXPECT_FALSE(fs::exists(dir_ / "mo.db"));
}

TEST_F(ExperimentCli, InterruptedRunLosesAtMostOneRoundAndResumes) {
  write_config(6, 2);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::chdir(dir_.c_str()) != 0) ::_exit(120);
    int fd = ::open((dir_ / "first.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(GREENTUNE_CLI, GREENTUNE_CLI, "experiment", "exp.toml", "--no-energy", "--no-report",
            static_cast<char*>(nullptr));
    ::_exit(121);
  }
  // Wait for random's second round, then interrupt mid-study.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (slurp(dir_ / "first.out").find("e/random round 2/6") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << slurp(dir_ / "first.out");
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << slurp(dir_ / "first.out");

  auto storage = greentune::store::open_storage("sqlite:" + (dir_ / "e.db").string());
  auto study = storage->find_study("e/random");
  ASSERT_TRUE(study);
  int complete_before = 0, failed = 0, running = 0;
  for (const auto& trial : storage->trials(study->id)) {
    complete_before += trial.state == greentune::tune::TrialState::complete;
    failed += trial.state == greentune::tune::TrialState::failed;
    running += trial.state == greentune::tune::TrialState::running;
  }
  EXPECT_GE(complete_before, 2);
  EXPECT_LE(failed, 1);  // the round that was running, nothing more
  EXPECT_EQ(running, 0);

  const CliRun second = run_cli("experiment exp.toml --no-energy", "second");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  int complete_after = 0;
  for (const auto& trial : storage->trials(study->id))
    complete_after += trial.state == greentune::tune::TrialState::complete;
  EXPECT_EQ(complete_after, 6);
  EXPECT_THAT(second.out, HasSubstr("study e/random: " + std::to_string(complete_before) +
                                    " of 6 rounds done"));

  // Killed mid-round and resumed, the strategies still ran interleaved: ordered by start time,
  // the rounds of random and grid never go back (round r of both before round r + 1 of either).
  std::vector<std::pair<double, int>> started;
  for (const char* name : {"e/random", "e/grid"}) {
    auto arm = storage->find_study(name);
    ASSERT_TRUE(arm) << name;
    int round = 0;
    for (const auto& trial : storage->trials(arm->id))
      if (trial.state == greentune::tune::TrialState::complete)
        started.emplace_back(trial.started_at, ++round);
  }
  std::sort(started.begin(), started.end());
  ASSERT_EQ(started.size(), 6u + 4u);  // grid has 4 points (grid_points = 4), then steps aside
  for (size_t i = 1; i < started.size(); ++i)
    EXPECT_LE(started[i - 1].second, started[i].second) << "start order broke at " << i;
}

// Issue 13: the experiment must never lose data because of the report. A report folder that
// cannot be made costs the report only: exit 0, a clear message, every round in the store.
TEST_F(ExperimentCli, AFailingReportStillExitsZeroWithTheResultsStored) {
  write_config(1);
  std::ofstream(dir_ / "taken") << "a file where the report folder should go";
  const CliRun run = run_cli("experiment exp.toml --no-energy --report taken/rep", "run");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("the report could not be written to taken/rep"));
  EXPECT_THAT(run.err, HasSubstr("greentune report sqlite:e.db --out DIR"));
  auto storage = greentune::store::open_storage("sqlite:" + (dir_ / "e.db").string());
  auto study = storage->find_study("e/random");
  ASSERT_TRUE(study);
  EXPECT_EQ(storage->trials(study->id).size(), 1u);
}

}  // namespace
#endif  // GREENTUNE_HAS_TORCH
