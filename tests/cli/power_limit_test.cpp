// End-to-end: gpu_power_limit_w in a study's space, through the NVML shim (tests/energy): the
// limit set for a trial and put back after it, refused before the study when NVML does not allow
// it, and a journal left by a killed greentune put back at the next start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "cli/cli_test_support.hpp"
#include "support/scoped_env.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using greentune::cli_testing::start_cli;
using greentune::test_support::ScopedEnv;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class PowerLimitCli : public CliTest {
 protected:
  PowerLimitCli() : CliTest("power-limit") {}
  void SetUp() override {
    CliTest::SetUp();
    env_.emplace_back("GREENTUNE_NVML_LIBRARY", GREENTUNE_NVML_SHIM);
    env_.emplace_back("GREENTUNE_NVML_SHIM_SCRIPT", (dir_ / "nvml-script").string());
    env_.emplace_back("GREENTUNE_NVML_SHIM_LOG", (dir_ / "nvml-calls").string());
    env_.emplace_back("GREENTUNE_STATE_DIR", (dir_ / "state").string());
    env_.emplace_back("CUDA_VISIBLE_DEVICES", std::nullopt);
  }
  void TearDown() override {
    while (!env_.empty()) env_.pop_back();
    CliTest::TearDown();
  }

  void script(const std::string& text) const { std::ofstream(dir_ / "nvml-script") << text; }

  // The shim's set calls, "UUID MW" per line.
  std::string sets() const {
    std::ifstream in(dir_ / "nvml-calls");
    std::string line, out;
    const std::string prefix = "nvmlDeviceSetPowerManagementLimit ";
    while (std::getline(in, line))
      if (line.rfind(prefix, 0) == 0) out += line.substr(prefix.size()) + "\n";
    return out;
  }

  fs::path journal() const { return dir_ / "state" / "gpu-power-limit"; }

  std::deque<ScopedEnv> env_;
};

const char* kTrainWithPowerLimit = R"(
[study]
name = "pl"
storage = "sqlite:pl.db"
strategy = "random"
objective = "train"
rounds = 1
seed = 4
[space.gpu_power_limit_w]
type = "int"
low = 150
high = 250
[train]
model = "simplecnn:conv=1,linear=2"
dataset = "fashion-mnist"
subset = 200
test_subset = 100
epochs = 1
batch_size = 100
threads = 1
device = "cuda"
)";

TEST_F(PowerLimitCli, JournalLeftByAKilledRunIsPutBackAtTheNextStart) {
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 180000 100000 350000\n");
  fs::create_directories(journal().parent_path());
  std::ofstream(journal()) << "GPU-aaaa 300000\n";
  std::ofstream(dir_ / "b.toml") << "[study]\nname = \"b\"\nstorage = \"sqlite:b.db\"\n"
                                    "strategy = \"random\"\nobjective = \"branin\"\nrounds = 1\n";
  CliRun run = run_cli("tune b.toml --no-energy");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("put the power limit of GPU GPU-aaaa back to 300 W"));
  EXPECT_EQ(sets(), "GPU-aaaa 300000\n");
  EXPECT_FALSE(fs::exists(journal()));
}

TEST_F(PowerLimitCli, NotPermittedIsRefusedBeforeTheStudyStarts) {
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 300000 100000 350000 denied\n");
  std::ofstream(dir_ / "pl.toml") << kTrainWithPowerLimit;
  CliRun run = run_cli("tune pl.toml --no-energy");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("gpu_power_limit_w: changing the power limit of GPU 0 is not "
                                 "permitted"));
  EXPECT_FALSE(fs::exists(dir_ / "pl.db"));
  EXPECT_FALSE(fs::exists(journal()));
}

TEST_F(PowerLimitCli, RangeBeyondTheBoardOrATrainingOnTheCpuIsRefused) {
  script("energy GPU-aaaa 5000 1 NVIDIA T4\nlimit GPU-aaaa 70000 60000 70000\n");
  std::ofstream(dir_ / "pl.toml") << kTrainWithPowerLimit;
  CliRun run = run_cli("tune pl.toml --no-energy", "range");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("space.gpu_power_limit_w: 150 to 250 W, but the GPU takes 60 "
                                 "to 70 W"));
  std::string cpu = kTrainWithPowerLimit;
  cpu.replace(cpu.find("device = \"cuda\""), 15, "device = \"cpu\"");
  std::ofstream(dir_ / "cpu.toml") << cpu;
  run = run_cli("tune cpu.toml --no-energy", "cpu");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("the trials train on 'cpu'"));
  EXPECT_FALSE(fs::exists(dir_ / "pl.db"));
}

#if GREENTUNE_HAS_TORCH
// The trial's limit is set before it runs and the original is back after it, even when the
// trial fails (here: a LibTorch without CUDA cannot train on "cuda").
TEST_F(PowerLimitCli, TrialRunsUnderItsLimitAndTheOriginalComesBack) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist")) {
    GTEST_SKIP() << "FashionMNIST is not installed";
  }
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 300000 100000 350000\n");
  std::ofstream(dir_ / "pl.toml") << kTrainWithPowerLimit;
  CliRun run = run_cli("tune pl.toml --no-energy --json=pl.json");
  std::istringstream lines(sets());
  std::string check, trial, back;
  std::getline(lines, check);
  std::getline(lines, trial);
  std::getline(lines, back);
  EXPECT_EQ(check, "GPU-aaaa 300000") << run.out << run.err;  // may we? set what it has
  ASSERT_EQ(trial.rfind("GPU-aaaa ", 0), 0u) << run.out << run.err;
  const int milliwatts = std::stoi(trial.substr(9));
  EXPECT_GE(milliwatts, 150000);
  EXPECT_LE(milliwatts, 250000);
  EXPECT_EQ(milliwatts % 1000, 0);
  EXPECT_EQ(back, "GPU-aaaa 300000");
  EXPECT_FALSE(fs::exists(journal()));
}

// Ctrl-C in the middle of a trial: the signal's handler puts the original limit back before the
// process exits (the trial's own clean-up never runs: its thread is held inside NVML by the
// shim's "hold" until the process is gone), removes the journal and leaves the trial to re-run.
TEST_F(PowerLimitCli, CtrlCDuringATrialPutsTheOriginalLimitBack) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist")) {
    GTEST_SKIP() << "FashionMNIST is not installed";
  }
  const fs::path held = dir_ / "held";
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 300000 100000 350000\nhold " +
         held.string() + "\n");
  std::ofstream(dir_ / "pl.toml") << kTrainWithPowerLimit;
  const pid_t greentune = start_cli(dir_, {"tune", "pl.toml"}, "tune");
  ASSERT_GT(greentune, 0);
  // A slow machine may take long to get there, so wait on the file and the process, not a clock.
  int status = 0;
  bool exited = false;
  while (!fs::exists(held) && !exited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    exited = waitpid(greentune, &status, WNOHANG) == greentune;
  }
  ASSERT_FALSE(exited) << slurp(dir_ / "tune.out") << slurp(dir_ / "tune.err");
  ASSERT_EQ(kill(greentune, SIGINT), 0);
  ASSERT_EQ(waitpid(greentune, &status, 0), greentune);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(dir_ / "tune.err");
  EXPECT_THAT(slurp(dir_ / "tune.err"), HasSubstr("interrupted by SIGINT"));

  std::istringstream lines(sets());
  std::string check, trial, back, more;
  std::getline(lines, check);
  std::getline(lines, trial);
  std::getline(lines, back);
  EXPECT_EQ(check, "GPU-aaaa 300000");
  EXPECT_NE(trial, "GPU-aaaa 300000");
  EXPECT_EQ(trial.rfind("GPU-aaaa ", 0), 0u) << trial;
  EXPECT_EQ(back, "GPU-aaaa 300000") << sets();
  EXPECT_FALSE(std::getline(lines, more)) << sets();
  EXPECT_FALSE(fs::exists(journal()));

  CliRun listed = run_cli("trials pl --storage sqlite:pl.db --json", "trials");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto trials = nlohmann::json::parse(listed.out);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0]["state"], "failed");
  EXPECT_EQ(trials[0]["retry"], true) << trials[0].dump();
}
#endif

}  // namespace
