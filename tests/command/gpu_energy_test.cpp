// GPU energy goes to the trial that has the GPU: two trials at once, each given one GPU with
// --gpus, over the NVML stand-in of tests/energy (the real NVML source, a scripted driver).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <thread>

#include "command_test_support.hpp"
#include "greentune/command/gpu_pool.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/energy/nvml.hpp"

namespace greentune::command {
namespace {

using testing::CommandTest;
using testing::write_program;

const std::vector<LedgerDomain> kTwoGpus = {{"gpu-0", "nvml", "measured", false, true},
                                            {"gpu-1", "nvml", "measured", false, true},
                                            {"package-0", "perf", "measured", false, false}};

TEST(GpuDomains, FollowGreentunesOwnVisibleDevices) {
  using Map = std::map<std::string, std::string>;
  EXPECT_EQ(gpu_domains({"0", "1"}, kTwoGpus, nullptr), (Map{{"0", "gpu-0"}, {"1", "gpu-1"}}));
  // greentune sees physical GPUs 3 and 1 as its gpu-0 and gpu-1.
  EXPECT_EQ(gpu_domains({"1", "3"}, kTwoGpus, "3, 1"), (Map{{"1", "gpu-1"}, {"3", "gpu-0"}}));
  // A GPU NVML does not read is charged nothing rather than another GPU's energy.
  EXPECT_EQ(gpu_domains({"0", "5"}, kTwoGpus, nullptr), (Map{{"0", "gpu-0"}}));
  EXPECT_EQ(gpu_domains({"GPU-abc"}, kTwoGpus, "GPU-abc"), (Map{{"GPU-abc", "gpu-0"}}));
}

TEST_F(CommandTest, EachTrialIsChargedOnlyTheGpuItWasGiven) {
  std::ofstream(dir_ / "nvml.script") << "energy GPU-aaaa 1000 1000 Fake A\n"
                                         "energy GPU-bbbb 5000 7 Fake B\n";
  ::setenv("GREENTUNE_NVML_LIBRARY", GREENTUNE_NVML_SHIM, 1);
  ::setenv("GREENTUNE_NVML_SHIM_SCRIPT", (dir_ / "nvml.script").c_str(), 1);
  ::unsetenv("CUDA_VISIBLE_DEVICES");
  energy::ProbeResult probe;
  auto nvml = energy::open_nvml(probe);
  ASSERT_TRUE(nvml) << probe.reason;
  std::vector<std::unique_ptr<energy::Source>> sources;
  sources.push_back(std::move(nvml));
  energy::Monitor monitor(std::move(sources), {});
  EnergyLedger ledger(monitor_counters(monitor), std::chrono::milliseconds(20));
  GpuPool pool({"0", "1"}, 1);

  write_program(dir_ / "gpu.sh", R"(#!/bin/bash
echo "$CUDA_VISIBLE_DEVICES" > "$GREENTUNE_TRIAL_DIR/gpu"
sleep 0.3
echo '{"score": 1}'
)");
  auto r = runtime({"./gpu.sh"});
  r.ledger = &ledger;
  r.gpus = &pool;
  r.gpu_domains = gpu_domains(pool.gpus(), ledger.domains(), nullptr);
  CommandOutcome a, b;
  std::thread other([&] { b = run_command_trial(r, {}, 2, {}); });
  a = run_command_trial(r, {}, 1, {});
  other.join();
  for (const auto* out : {&a, &b}) {
    ASSERT_TRUE(out->complete()) << out->failure;
    ASSERT_TRUE(out->energy);
    EXPECT_EQ(testing::slurp(out->trial_dir / "gpu"), out->gpu + "\n");
    for (const auto& d : out->energy->domains) {
      if (d.domain.name == "gpu-" + out->gpu) {
        EXPECT_GT(d.joules, 0) << d.domain.name;
      } else {
        EXPECT_EQ(d.joules, 0) << d.domain.name << " charged to the trial on GPU " << out->gpu;
      }
    }
  }
  EXPECT_NE(a.gpu, b.gpu);
}

}  // namespace
}  // namespace greentune::command
