// The GPU power limit knob through the NVML shim: which limits are set and put back (the shim
// logs every set call), the journal that outlives a killed process, and the refusals.
#include "greentune/energy/gpu_power_limit.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "energy/fake_sysfs.hpp"
#include "greentune/common/error.hpp"
#include "support/scoped_env.hpp"

namespace greentune::energy {
namespace {

using test_support::ScopedEnv;
using testing::FakeRoot;
using ::testing::HasSubstr;

class PowerLimit : public ::testing::Test {
 protected:
  void script(const std::string& text) { root_.write("nvml-script", text); }

  // The shim's set calls, "UUID MW" per line.
  std::string sets() const {
    std::ifstream in(root_.path() / "nvml-calls");
    std::string line, out;
    const std::string prefix = "nvmlDeviceSetPowerManagementLimit ";
    while (std::getline(in, line))
      if (line.rfind(prefix, 0) == 0) out += line.substr(prefix.size()) + "\n";
    return out;
  }

  std::string slurp(const std::filesystem::path& file) const {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string error_of_open() {
    try {
      GpuPowerLimit::open(0, journal_);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }

  FakeRoot root_;
  std::filesystem::path journal_ = root_.path() / "state" / "gpu-power-limit";
  ScopedEnv library_{"GREENTUNE_NVML_LIBRARY", GREENTUNE_NVML_SHIM};
  ScopedEnv visible_{"CUDA_VISIBLE_DEVICES", std::nullopt};
  ScopedEnv log_{"GREENTUNE_NVML_SHIM_LOG", (root_.path() / "nvml-calls").string()};
  ScopedEnv script_{"GREENTUNE_NVML_SHIM_SCRIPT", (root_.path() / "nvml-script").string()};
};

TEST_F(PowerLimit, SetsTheLimitJournalsTheOriginalAndPutsItBack) {
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 300000 100000 350000\n");
  auto limit = GpuPowerLimit::open(0, journal_);
  EXPECT_EQ(limit->original_watts(), 300);
  EXPECT_EQ(limit->min_watts(), 100);
  EXPECT_EQ(limit->max_watts(), 350);
  EXPECT_EQ(sets(), "GPU-aaaa 300000\n");  // the permission check sets what it has
  EXPECT_FALSE(std::filesystem::exists(journal_));

  limit->set(200);
  EXPECT_EQ(slurp(journal_), "GPU-aaaa 300000\n");
  limit->set(150);
  EXPECT_EQ(slurp(journal_), "GPU-aaaa 300000\n");  // the original, not the previous trial's
  limit->restore();
  EXPECT_EQ(sets(), "GPU-aaaa 300000\nGPU-aaaa 200000\nGPU-aaaa 150000\nGPU-aaaa 300000\n");
  EXPECT_FALSE(std::filesystem::exists(journal_));
  limit->restore();  // nothing pending: no call
  EXPECT_EQ(sets(), "GPU-aaaa 300000\nGPU-aaaa 200000\nGPU-aaaa 150000\nGPU-aaaa 300000\n");
}

TEST_F(PowerLimit, DestroyingAChangedLimitPutsItBack) {
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 300000 100000 350000\n");
  {
    auto limit = GpuPowerLimit::open(0, journal_);
    limit->set(250);
  }
  EXPECT_EQ(sets(), "GPU-aaaa 300000\nGPU-aaaa 250000\nGPU-aaaa 300000\n");
  EXPECT_FALSE(std::filesystem::exists(journal_));
}

TEST_F(PowerLimit, OutsideTheBoardsRangeIsRefusedWithoutACall) {
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 300000 100000 350000\n");
  auto limit = GpuPowerLimit::open(0, journal_);
  try {
    limit->set(400);
    FAIL() << "400 W was accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("gpu_power_limit_w = 400: GPU GPU-aaaa takes 100 to 350 W"));
  }
  EXPECT_EQ(sets(), "GPU-aaaa 300000\n");
  EXPECT_FALSE(std::filesystem::exists(journal_));
}

TEST_F(PowerLimit, RefusedWhenNotPermittedOrNotSupported) {
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 300000 100000 350000 denied\n");
  EXPECT_THAT(error_of_open(), HasSubstr("is not permitted"));
  EXPECT_THAT(error_of_open(), HasSubstr("run greentune as root"));
  script("energy GPU-aaaa 5000 1 NVIDIA T4\nlimit GPU-aaaa 70000 60000 70000 unsupported\n");
  EXPECT_THAT(error_of_open(), HasSubstr("does not support setting its power limit"));
  script("energy GPU-aaaa 5000 1 NVIDIA T4\n");
  EXPECT_THAT(error_of_open(), HasSubstr("does not support"));
  script("");
  EXPECT_THAT(error_of_open(), HasSubstr("no GPU 0"));
  EXPECT_FALSE(std::filesystem::exists(journal_));
}

TEST_F(PowerLimit, RefusedWithoutNvmlOrWithCudaVisibleDevices) {
  {
    ScopedEnv missing{"GREENTUNE_NVML_LIBRARY", (root_.path() / "no-such-libnvml.so").string()};
    EXPECT_THAT(error_of_open(), HasSubstr("the GPU power limit needs an NVIDIA driver"));
  }
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 300000 100000 350000\n");
  ScopedEnv visible{"CUDA_VISIBLE_DEVICES", "1"};
  EXPECT_THAT(error_of_open(), HasSubstr("CUDA_VISIBLE_DEVICES is set ('1')"));
  EXPECT_EQ(sets(), "");
}

// A greentune killed while a trial's limit was set leaves the journal; the next start reads it.
TEST_F(PowerLimit, JournalLeftBehindIsPutBackAtTheNextStart) {
  script(
      "energy GPU-aaaa 5000 1 NVIDIA H100\nenergy GPU-bbbb 5000 1 NVIDIA H100\n"
      "limit GPU-bbbb 150000 100000 350000\n");
  EXPECT_EQ(restore_journaled_power_limit(journal_), "");  // none: nothing to do
  EXPECT_EQ(sets(), "");
  std::filesystem::create_directories(journal_.parent_path());
  std::ofstream(journal_) << "GPU-bbbb 300000\n";
  EXPECT_THAT(restore_journaled_power_limit(journal_),
              HasSubstr("put the power limit of GPU GPU-bbbb back to 300 W"));
  EXPECT_EQ(sets(), "GPU-bbbb 300000\n");
  EXPECT_FALSE(std::filesystem::exists(journal_));
}

TEST_F(PowerLimit, JournalThatCannotBePutBackStays) {
  script("energy GPU-aaaa 5000 1 NVIDIA H100\nlimit GPU-aaaa 150000 100000 350000 denied\n");
  std::filesystem::create_directories(journal_.parent_path());
  std::ofstream(journal_) << "GPU-aaaa 300000\n";
  EXPECT_THROW(restore_journaled_power_limit(journal_), IoError);
  EXPECT_TRUE(std::filesystem::exists(journal_));
  std::ofstream(journal_) << "garbage\n";
  EXPECT_THROW(restore_journaled_power_limit(journal_), IoError);
}

TEST_F(PowerLimit, JournalPathFollowsTheStateDirectory) {
  ScopedEnv state{"GREENTUNE_STATE_DIR", "/x/state"};
  EXPECT_EQ(power_limit_journal_path(), std::filesystem::path("/x/state/gpu-power-limit"));
  ScopedEnv none{"GREENTUNE_STATE_DIR", std::nullopt};
  ScopedEnv xdg{"XDG_STATE_HOME", "/y"};
  EXPECT_EQ(power_limit_journal_path(), std::filesystem::path("/y/greentune/gpu-power-limit"));
}

}  // namespace
}  // namespace greentune::energy
