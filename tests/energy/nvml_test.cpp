#include "greentune/energy/nvml.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "energy/fake_sysfs.hpp"
#include "support/scoped_env.hpp"

namespace greentune::energy {
namespace {

using test_support::ScopedEnv;
using testing::FakeRoot;
using ::testing::HasSubstr;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class Nvml : public ::testing::Test {
 protected:
  void script(const std::string& text) {
    root_.write("nvml-script", text);
    script_env_.emplace("GREENTUNE_NVML_SHIM_SCRIPT", (root_.path() / "nvml-script").string());
  }

  // Every device call the shim saw, one "FUNCTION UUID" per line.
  std::string calls() const {
    std::ifstream in(root_.path() / "nvml-calls");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  FakeRoot root_;
  ScopedEnv library_{"GREENTUNE_NVML_LIBRARY", GREENTUNE_NVML_SHIM};
  ScopedEnv visible_{"CUDA_VISIBLE_DEVICES", std::nullopt};
  ScopedEnv order_{"CUDA_DEVICE_ORDER", std::nullopt};
  ScopedEnv log_{"GREENTUNE_NVML_SHIM_LOG", (root_.path() / "nvml-calls").string()};
  std::optional<ScopedEnv> script_env_;
};

TEST_F(Nvml, GpuWithAnEnergyCounterUsesIt) {
  script("energy GPU-aaaa 5000 1234 NVIDIA H100 80GB HBM3\n");
  ProbeResult result;
  auto source = open_nvml(result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_TRUE(result.usable);
  EXPECT_EQ(result.source, "nvml");
  ASSERT_EQ(source->domains().size(), 1u);
  auto domain = source->domains()[0];
  EXPECT_EQ(domain.name, "gpu-0");
  EXPECT_EQ(domain.source, "nvml");
  EXPECT_EQ(domain.kind, Kind::measured);
  EXPECT_EQ(domain.method, "NVML total energy counter, NVIDIA H100 80GB HBM3");
  auto first = source->read().at(0);
  auto second = source->read().at(0);
  ASSERT_TRUE(first.ok && second.ok);
  EXPECT_GT(first.value, 5000u);
  EXPECT_EQ(second.value - first.value, 1234u);  // raw millijoules from the driver
  EXPECT_EQ(second.wraps_at, 0u);
  EXPECT_DOUBLE_EQ(second.joules_per_unit, 1e-3);
  EXPECT_EQ(source->max_read_interval(), std::chrono::hours(1));  // 64-bit: never wraps
}

// Energy of power BASE + SLOPE (t - t0) over [a, b], in millijoules (mW x s).
double ramp_energy_mj(double base, double slope, double t0, double a, double b) {
  return base * (b - a) + slope / 2 * ((b - t0) * (b - t0) - (a - t0) * (a - t0));
}

TEST_F(Nvml, GpuWithoutCounterIntegratesPowerWithTheTrapezoidRule) {
  const double base = 100'000, slope = 1'000'000, t0 = now_seconds();  // 100 W rising 1 kW/s
  script("ramp GPU-bbbb " + std::to_string(base) + " " + std::to_string(slope) + " " +
         std::to_string(t0) + " Tesla P100-PCIE-16GB\n");
  double open_before = now_seconds();
  ProbeResult result;
  auto source = open_nvml(result);
  double open_after = now_seconds();
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(source->domains()[0].method,
              HasSubstr("NVML power polling, trapezoid, Tesla P100-PCIE-16GB (no energy "
                        "counter: Not Supported"));
  EXPECT_EQ(source->max_read_interval(), std::chrono::milliseconds(250));
  // Power rises linearly, where the trapezoid rule is exact whatever the sample times: each
  // cumulative read lies between the closed-form energies of its shortest and longest span.
  for (int step = 0; step < 4; ++step) {
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    double before = now_seconds();
    auto read = source->read().at(0);
    double after = now_seconds();
    ASSERT_TRUE(read.ok);
    EXPECT_EQ(read.wraps_at, 0u);
    EXPECT_DOUBLE_EQ(read.joules_per_unit, 1e-3);
    double low = ramp_energy_mj(base, slope, t0, open_after, before);
    double high = ramp_energy_mj(base, slope, t0, open_before, after);
    // The shim reports whole milliwatts and the counter whole millijoules.
    EXPECT_GE(static_cast<double>(read.value), low - 1.5) << "step " << step;
    EXPECT_LE(static_cast<double>(read.value), high + 1.5) << "step " << step;
    EXPECT_GT(read.value, 4000u * static_cast<uint64_t>(step + 1));  // >= 100 W x 40 ms each
  }
}

TEST_F(Nvml, CounterThatReadsZeroFallsBackToPolling) {
  script("zero GPU-cccc 50000 0 0 Quadro RTX 4000\n");
  ProbeResult result;
  auto source = open_nvml(result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(source->domains()[0].method,
              HasSubstr("NVML power polling, trapezoid, Quadro RTX 4000 (the energy counter "
                        "reads 0;"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto read = source->read().at(0);
  EXPECT_TRUE(read.ok);
  EXPECT_GE(read.value, 1000u);  // 50 W x >= 20 ms
}

TEST_F(Nvml, FailingInitSaysWhy) {
  script("init 9\nenergy GPU-aaaa 1 1 A\n");
  ProbeResult result;
  EXPECT_FALSE(open_nvml(result));
  EXPECT_FALSE(result.usable);
  EXPECT_THAT(result.reason, HasSubstr("nvmlInit_v2 failed: Driver Not Loaded (NVML code 9)"));
}

TEST_F(Nvml, MissingLibrarySaysWhereToPointIt) {
  ScopedEnv missing("GREENTUNE_NVML_LIBRARY", (root_.path() / "libnvidia-ml.so.1").string());
  ProbeResult result;
  EXPECT_FALSE(open_nvml(result));
  EXPECT_THAT(result.reason,
              HasSubstr("cannot load " + (root_.path() / "libnvidia-ml.so.1").string()));
  EXPECT_THAT(result.reason, HasSubstr("GREENTUNE_NVML_LIBRARY"));
}

TEST_F(Nvml, NoGpuSaysSo) {
  script("");
  ProbeResult result;
  EXPECT_FALSE(open_nvml(result));
  EXPECT_THAT(result.reason, HasSubstr("NVML reports no GPU"));
}

const char* kThreeGpus =
    "energy GPU-aaaa1111-0000 100 1 GPU Zero\n"
    "energy GPU-bbbb2222-0000 100 1 GPU One\n"
    "ramp GPU-cccc3333-0000 1000 0 0 GPU Two\n";

std::vector<std::string> methods(const Source& source) {
  std::vector<std::string> out;
  for (const auto& d : source.domains()) out.push_back(d.name + ": " + d.method);
  return out;
}

TEST_F(Nvml, AllGpusWithoutCudaVisibleDevices) {
  script(kThreeGpus);
  ProbeResult result;
  auto source = open_nvml(result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(methods(*source),
              ::testing::ElementsAre(HasSubstr("gpu-0: NVML total energy counter, GPU Zero"),
                                     HasSubstr("gpu-1: NVML total energy counter, GPU One"),
                                     HasSubstr("gpu-2: NVML power polling, trapezoid, GPU Two")));
}

TEST_F(Nvml, CudaVisibleDevicesByIndexAndUuidPrefix) {
  script(kThreeGpus);
  ScopedEnv order("CUDA_DEVICE_ORDER", "PCI_BUS_ID");  // these three models differ
  ScopedEnv visible("CUDA_VISIBLE_DEVICES", "2,GPU-aaaa1111");
  ProbeResult result;
  auto source = open_nvml(result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(methods(*source),
              ::testing::ElementsAre(HasSubstr("gpu-0: NVML power polling, trapezoid, GPU Two"),
                                     HasSubstr("gpu-1: NVML total energy counter, GPU Zero")));
  EXPECT_EQ(result.reason, "");
}

TEST_F(Nvml, CudaVisibleDevicesStopsAtTheFirstUnknownEntry) {
  script(kThreeGpus);
  ScopedEnv visible("CUDA_VISIBLE_DEVICES", "GPU-bbbb2222-0000,7,0");
  ProbeResult result;
  auto source = open_nvml(result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(methods(*source),
              ::testing::ElementsAre(HasSubstr("gpu-0: NVML total energy counter, GPU One")));
  EXPECT_THAT(result.reason, HasSubstr("CUDA_VISIBLE_DEVICES entry '7' names no GPU"));
}

TEST_F(Nvml, EmptyCudaVisibleDevicesHidesEveryGpu) {
  script(kThreeGpus);
  for (const char* selection : {"", "-1"}) {
    ScopedEnv visible("CUDA_VISIBLE_DEVICES", selection);
    ProbeResult result;
    EXPECT_FALSE(open_nvml(result)) << selection;
    EXPECT_THAT(result.reason, HasSubstr("no GPU is visible: CUDA_VISIBLE_DEVICES='" +
                                         std::string(selection) + "' selects none of the 3 GPUs"));
  }
}

TEST_F(Nvml, GpuWithNeitherEnergyNorPowerIsSkipped) {
  script("nopower GPU-dddd GRID K1\nenergy GPU-eeee 10 1 A100\n");
  ProbeResult result;
  auto source = open_nvml(result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(methods(*source),
              ::testing::ElementsAre(HasSubstr("gpu-1: NVML total energy counter, A100")));
  EXPECT_THAT(result.reason, HasSubstr("gpu-0 (GRID K1) skipped"));
}

// Four GPUs of one model that NVML lists in another order than their PCI bus ids.
const char* kFourH100sOutOfBusOrder =
    "energy GPU-a0 100 1 NVIDIA H100\n"
    "energy GPU-b1 100 1 NVIDIA H100\n"
    "energy GPU-c2 100 1 NVIDIA H100\n"
    "energy GPU-d3 100 1 NVIDIA H100\n"
    "pci GPU-a0 00000000:81:00.0\n"
    "pci GPU-b1 00000000:03:00.0\n"
    "pci GPU-c2 00000000:41:00.0\n"
    "pci GPU-d3 00000001:02:00.0\n";

TEST_F(Nvml, NumericCudaVisibleDevicesCountInCudasOrderByPciBusId) {
  script(kFourH100sOutOfBusOrder);
  // CUDA numbers by PCI bus id: 0 = 0000:03 (GPU-b1), 1 = 0000:41 (GPU-c2), 2 = 0000:81 (GPU-a0),
  // 3 = 0001:02 (GPU-d3); NVML's own index 0 is GPU-a0.
  for (std::optional<std::string> order :
       {std::optional<std::string>(), std::optional<std::string>("PCI_BUS_ID")}) {
    ScopedEnv device_order("CUDA_DEVICE_ORDER", order);
    ScopedEnv visible("CUDA_VISIBLE_DEVICES", "0,2,3");
    ProbeResult result;
    auto source = open_nvml(result);
    ASSERT_TRUE(source) << result.reason;
    EXPECT_THAT(methods(*source),
                ::testing::ElementsAre(HasSubstr("gpu-0: NVML total energy counter, NVIDIA H100 at "
                                                 "PCI 00000000:03:00.0"),
                                       HasSubstr("gpu-1: NVML total energy counter, NVIDIA H100 at "
                                                 "PCI 00000000:81:00.0"),
                                       HasSubstr("gpu-2: NVML total energy counter, NVIDIA H100 at "
                                                 "PCI 00000001:02:00.0")));
    // One model: CUDA's default fastest-first order ties and falls back to the bus order.
    EXPECT_EQ(result.reason, "") << (order ? *order : "unset");
  }
}

TEST_F(Nvml, WithoutCudaVisibleDevicesGpuNumbersFollowCudasOrderToo) {
  script(kFourH100sOutOfBusOrder);
  ProbeResult result;
  auto source = open_nvml(result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(methods(*source),
              ::testing::ElementsAre(HasSubstr("gpu-0: NVML total energy counter, "
                                               "NVIDIA H100 at PCI 00000000:03"),
                                     HasSubstr("gpu-1: NVML total energy counter, "
                                               "NVIDIA H100 at PCI 00000000:41"),
                                     HasSubstr("gpu-2: NVML total energy counter, "
                                               "NVIDIA H100 at PCI 00000000:81"),
                                     HasSubstr("gpu-3: NVML total energy counter, "
                                               "NVIDIA H100 at PCI 00000001:02")));
}

TEST_F(Nvml, MixedModelsWarnUnlessCudaDeviceOrderIsPciBusId) {
  script(
      "energy GPU-big 100 1 NVIDIA H100\n"
      "energy GPU-small 100 1 NVIDIA T4\n"
      "pci GPU-big 00000000:81:00.0\n"
      "pci GPU-small 00000000:03:00.0\n");
  ScopedEnv visible("CUDA_VISIBLE_DEVICES", "0");
  {
    ProbeResult result;
    auto source = open_nvml(result);
    ASSERT_TRUE(source) << result.reason;
    // CUDA would likely call the H100 device 0; NVML cannot know its heuristic, so it says so.
    EXPECT_THAT(result.reason, HasSubstr("CUDA_DEVICE_ORDER is not set"));
    EXPECT_THAT(result.reason, HasSubstr("CUDA_DEVICE_ORDER=PCI_BUS_ID"));
    EXPECT_THAT(source->domains().at(0).method, HasSubstr("CUDA_DEVICE_ORDER=PCI_BUS_ID"));
  }
  ScopedEnv order("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
  ProbeResult result;
  auto source = open_nvml(result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_EQ(result.reason, "");
  EXPECT_THAT(methods(*source), ::testing::ElementsAre(HasSubstr("gpu-0: NVML total energy "
                                                                 "counter, NVIDIA T4 at PCI")));
}

TEST_F(Nvml, GpuWithoutCounterPollsTheInstantaneousPowerField) {
  const double base = 80'000, slope = 500'000, t0 = now_seconds();
  script("ramp GPU-ffff " + std::to_string(base) + " " + std::to_string(slope) + " " +
         std::to_string(t0) + " Tesla V100-SXM2-16GB\ninstant GPU-ffff\n");
  double open_before = now_seconds();
  ProbeResult result;
  auto source = open_nvml(result);
  double open_after = now_seconds();
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(source->domains()[0].method,
              HasSubstr("NVML power polling, trapezoid, Tesla V100-SXM2-16GB (no energy counter: "
                        "Not Supported (NVML code 3); instantaneous power field"));
  for (int step = 0; step < 3; ++step) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    double before = now_seconds();
    auto read = source->read().at(0);
    double after = now_seconds();
    ASSERT_TRUE(read.ok);
    EXPECT_GE(static_cast<double>(read.value),
              ramp_energy_mj(base, slope, t0, open_after, before) - 1.5);
    EXPECT_LE(static_cast<double>(read.value),
              ramp_energy_mj(base, slope, t0, open_before, after) + 1.5);
  }
  const std::string log = calls();
  EXPECT_THAT(log, HasSubstr("nvmlDeviceGetFieldValues GPU-ffff"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("nvmlDeviceGetPowerUsage"))) << log;
}

TEST_F(Nvml, WithoutTheInstantFieldPowerUsageIsPolled) {
  script("ramp GPU-eeee 60000 0 0 Tesla K80\n");
  ProbeResult result;
  auto source = open_nvml(result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(source->domains()[0].method, HasSubstr("nvmlDeviceGetPowerUsage"));
  source->read();
  EXPECT_THAT(calls(), HasSubstr("nvmlDeviceGetPowerUsage GPU-eeee"));
}

}  // namespace
}  // namespace greentune::energy
