#include "greentune/energy/perf_power.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "energy/fake_sysfs.hpp"

namespace greentune::energy {
namespace {

using testing::FakeRoot;
using ::testing::HasSubstr;

const std::string kPmu = "sys/bus/event_source/devices/power/";

// A two-socket Intel server as the kernel describes it, under a PMU type no kernel has, so
// perf_event_open fails here whatever the machine.
void write_pmu(const FakeRoot& root) {
  root.write(kPmu + "type", "4242\n");
  root.write(kPmu + "cpumask", "0,2\n");
  root.write(kPmu + "format/event", "config:0-7\n");
  auto event = [&](const std::string& name, const std::string& config) {
    root.write(kPmu + "events/" + name, config + "\n");
    root.write(kPmu + "events/" + name + ".scale", "2.3283064365386962890625e-10\n");
    root.write(kPmu + "events/" + name + ".unit", "Joules\n");
  };
  event("energy-cores", "event=0x01");
  event("energy-pkg", "event=0x02");
  event("energy-ram", "event=0x03");
  root.write_topology(2, 2);
  root.write("proc/sys/kernel/perf_event_paranoid", "2\n");
}

TEST(PerfPower, ParsesTypeCpumaskEventsAndScale) {
  FakeRoot root;
  write_pmu(root);
  std::string reason;
  auto pmu = read_perf_power_pmu(root.paths(), reason);
  ASSERT_TRUE(pmu) << reason;
  EXPECT_EQ(pmu->type, 4242u);
  ASSERT_EQ(pmu->cpus.size(), 2u);
  EXPECT_EQ(pmu->cpus[0].cpu, 0);
  EXPECT_EQ(pmu->cpus[0].package, 0);
  EXPECT_EQ(pmu->cpus[1].cpu, 2);
  EXPECT_EQ(pmu->cpus[1].package, 1);
  EXPECT_EQ(pmu->cpus[1].die, -1);
  ASSERT_EQ(pmu->events.size(), 3u);
  EXPECT_EQ(pmu->events[0].event, "energy-pkg");
  EXPECT_EQ(pmu->events[0].domain, "package");
  EXPECT_EQ(pmu->events[0].config, 2u);
  EXPECT_FALSE(pmu->events[0].part_of_parent);
  EXPECT_EQ(pmu->events[1].event, "energy-ram");
  EXPECT_EQ(pmu->events[1].config, 3u);
  EXPECT_EQ(pmu->events[2].event, "energy-cores");
  EXPECT_TRUE(pmu->events[2].part_of_parent);
  EXPECT_DOUBLE_EQ(pmu->events[0].scale, 1.0 / (uint64_t{1} << 32));
}

TEST(PerfPower, TwoDiesOfOnePackageGetTheirOwnNames) {
  FakeRoot root;
  write_pmu(root);
  root.write("sys/devices/system/cpu/cpu2/topology/physical_package_id", "0\n");
  root.write("sys/devices/system/cpu/cpu0/topology/die_id", "0\n");
  root.write("sys/devices/system/cpu/cpu2/topology/die_id", "1\n");
  std::string reason;
  auto pmu = read_perf_power_pmu(root.paths(), reason);
  ASSERT_TRUE(pmu) << reason;
  ASSERT_EQ(pmu->cpus.size(), 2u);
  EXPECT_EQ(pmu->cpus[0].die, 0);
  EXPECT_EQ(pmu->cpus[1].package, 0);
  EXPECT_EQ(pmu->cpus[1].die, 1);
}

TEST(PerfPower, FormatFieldPlacesTheEventBits) {
  FakeRoot root;
  write_pmu(root);
  root.write(kPmu + "format/event", "config:8-15\n");
  std::string reason;
  auto pmu = read_perf_power_pmu(root.paths(), reason);
  ASSERT_TRUE(pmu) << reason;
  EXPECT_EQ(pmu->events[0].config, 0x0200u);
}

TEST(PerfPower, BadEventsAreSkippedWithNotes) {
  FakeRoot root;
  write_pmu(root);
  root.write(kPmu + "events/energy-ram.scale", "lots\n");
  root.write(kPmu + "events/energy-cores.unit", "Watts\n");
  std::string reason;
  auto pmu = read_perf_power_pmu(root.paths(), reason);
  ASSERT_TRUE(pmu) << reason;
  ASSERT_EQ(pmu->events.size(), 1u);
  EXPECT_THAT(pmu->notes, ::testing::ElementsAre(HasSubstr("energy-ram: scale is not a positive"),
                                                 HasSubstr("unit is 'Watts'")));
}

TEST(PerfPower, NoPmuSaysWhy) {
  FakeRoot root;
  ProbeResult result;
  EXPECT_FALSE(open_perf_power(root.paths(), result));
  EXPECT_FALSE(result.usable);
  EXPECT_EQ(result.source, "perf");
  EXPECT_THAT(result.reason, HasSubstr("no perf power PMU at " + root.paths().sysfs_root.string()));
}

TEST(PerfPower, MalformedPmuSaysWhichFile) {
  FakeRoot root;
  write_pmu(root);
  root.write(kPmu + "cpumask", "zero\n");
  ProbeResult result;
  EXPECT_FALSE(open_perf_power(root.paths(), result));
  EXPECT_THAT(result.reason, HasSubstr("cpumask is not a CPU list: 'zero'"));
  write_pmu(root);
  root.write(kPmu + "type", "power\n");
  EXPECT_FALSE(open_perf_power(root.paths(), result));
  EXPECT_THAT(result.reason, HasSubstr("type is not a PMU type number: 'power'"));
}

TEST(PerfPower, OpenFailureGivesAClearReason) {
  FakeRoot root;
  write_pmu(root);
  ProbeResult result;
  EXPECT_FALSE(open_perf_power(root.paths(), result));
  EXPECT_FALSE(result.usable);
  EXPECT_THAT(result.reason, HasSubstr("perf_event_open(energy-pkg, CPU 0) failed: E"));
}

// The kernel's `msr` PMU (time-stamp counter) stands in for RAPL where the machine has no power
// PMU (VMs): the production open/read path runs against a real perf counter.
TEST(PerfPower, OpensAndReadsARealPerfCounter) {
  const std::filesystem::path msr_pmu = "/sys/bus/event_source/devices/msr";
  std::ifstream type_file(msr_pmu / "type");
  std::string type;
  if (!(type_file >> type) || !std::filesystem::exists(msr_pmu / "events/tsc")) {
    GTEST_SKIP() << "no perf msr PMU with a tsc event on this machine";
  }
  FakeRoot root;
  root.write(kPmu + "type", type + "\n");
  root.write(kPmu + "cpumask", "0\n");
  root.write(kPmu + "events/energy-pkg", "event=0x00\n");  // tsc
  root.write(kPmu + "events/energy-pkg.scale", "1e-9\n");
  root.write(kPmu + "events/energy-pkg.unit", "Joules\n");
  ProbeResult result;
  auto source = open_perf_power(root.paths(), result);
  bool refused = result.reason.find("EACCES") != std::string::npos ||
                 result.reason.find("EPERM") != std::string::npos ||  // container seccomp
                 result.reason.find("ENOSYS") != std::string::npos;
  if (!source && refused) {
    GTEST_SKIP() << "perf counters are not allowed here: " << result.reason;
  }
  ASSERT_TRUE(source) << result.reason;
  EXPECT_TRUE(result.usable);
  ASSERT_EQ(source->domains().size(), 1u);
  EXPECT_EQ(source->domains()[0].name, "package-0");
  EXPECT_EQ(source->domains()[0].method, "RAPL via perf power/energy-pkg/ on CPU 0");
  auto first = source->read().at(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto second = source->read().at(0);
  ASSERT_TRUE(first.ok && second.ok);
  EXPECT_GT(second.value, first.value);  // a 64-bit count that only grows
  EXPECT_EQ(second.wraps_at, 0u);
  EXPECT_DOUBLE_EQ(second.joules_per_unit, 1e-9);
}

TEST(PerfPower, PermissionReasonGivesTheCommands) {
  FakeRoot root;
  write_pmu(root);
  std::string reason = perf_open_failure_reason(EACCES, 0, "energy-pkg", root.paths());
  EXPECT_THAT(reason, HasSubstr("EACCES"));
  EXPECT_THAT(reason, HasSubstr("kernel.perf_event_paranoid <= 0 (it is 2)"));
  EXPECT_THAT(reason, HasSubstr("sudo sysctl kernel.perf_event_paranoid=0"));
  EXPECT_THAT(reason, HasSubstr("setcap cap_perfmon=ep"));
  EXPECT_THAT(perf_open_failure_reason(ENOENT, 0, "energy-pkg", root.paths()),
              HasSubstr("does not accept the power PMU event"));
}

TEST(PerfPower, UnprivilegedOpenIsRefusedWithTheCommand) {
  int paranoid = 0;
  std::ifstream("/proc/sys/kernel/perf_event_paranoid") >> paranoid;
  if (paranoid < 2) GTEST_SKIP() << "perf_event_paranoid is " << paranoid << ": not refused";
  FakeRoot root;
  write_pmu(root);
  auto paths = root.paths();
  // The kernel checks kernel-mode counting against perf_event_paranoid before it looks up the
  // PMU, so an unprivileged open is refused with EACCES here, fake type or not.
  std::string reason = testing::run_as_nobody([&] {
    ProbeResult result;
    return std::string(open_perf_power(paths, result) ? "opened|" : "refused|") + result.reason;
  });
  EXPECT_THAT(reason, ::testing::StartsWith("refused|"));
  EXPECT_THAT(reason, HasSubstr("sudo sysctl kernel.perf_event_paranoid=0"));
}

}  // namespace
}  // namespace greentune::energy
