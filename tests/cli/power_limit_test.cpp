// End-to-end: gpu_power_limit_w in a study's space, through the NVML shim (tests/energy): the
// limit set for a trial and put back after it, refused before the study when NVML does not allow
// it, and a journal left by a killed greentune put back at the next start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// The child greentune inherits the test's environment.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

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
#endif

}  // namespace
