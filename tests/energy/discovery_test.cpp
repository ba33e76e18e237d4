// Which sources a Monitor gets: on fake kernel trees, with no counters, and with a powercap tree.
#include "greentune/energy/discovery.hpp"

#include <gtest/gtest.h>

#include "fake_sysfs.hpp"

namespace greentune::energy {
namespace {

const ProbeResult& probe_named(const std::vector<ProbeResult>& probes, const std::string& name) {
  for (const auto& p : probes) {
    if (p.source == name) return p;
  }
  throw std::runtime_error("no probe named " + name);
}

void write_cpuinfo(const testing::FakeRoot& root) {
  root.write("proc/cpuinfo", "processor\t: 0\nmodel name\t: AMD EPYC\nsiblings\t: 2\n");
}

TEST(Discovery, WithoutCountersTheEstimateIsUsedAndSaysWhy) {
  testing::FakeRoot root;
  write_cpuinfo(root);
  Discovery found = discover(root.paths(), {});
  ASSERT_EQ(found.probes.size(), 5u);
  EXPECT_EQ(found.probes[0].source, "perf");
  EXPECT_EQ(found.probes[1].source, "powercap");
  EXPECT_EQ(found.probes[2].source, "msr");
  EXPECT_EQ(found.probes[3].source, "nvml");
  EXPECT_EQ(found.probes[4].source, "estimate");
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(found.probes[i].usable) << found.probes[i].source;
    EXPECT_FALSE(found.probes[i].reason.empty()) << found.probes[i].source;
  }
  const ProbeResult& estimate = found.probes[4];
  EXPECT_TRUE(estimate.usable);
  EXPECT_NE(estimate.reason.find("no CPU energy counter is usable"), std::string::npos);
  EXPECT_TRUE(found.used[4]);
  EXPECT_FALSE(found.used[0] || found.used[1] || found.used[2]);
  ASSERT_FALSE(found.sources.empty());
  EXPECT_EQ(found.sources.back()->name(), "estimate");
  const std::string method = found.sources.back()->domains().at(0).method;
  // The reasons of all three CPU sources travel into the estimate's method text.
  EXPECT_NE(method.find("perf: "), std::string::npos) << method;
  EXPECT_NE(method.find("powercap: " + found.probes[1].reason.substr(0, 10)), std::string::npos)
      << method;
  EXPECT_NE(method.find("msr: "), std::string::npos) << method;
}

TEST(Discovery, PowercapTreeIsUsedAndTheEstimateIsNot) {
  testing::FakeRoot root;
  write_cpuinfo(root);
  root.write("sys/class/powercap/intel-rapl:0/name", "package-0\n");
  root.write("sys/class/powercap/intel-rapl:0/energy_uj", "1000\n");
  root.write("sys/class/powercap/intel-rapl:0/max_energy_range_uj", "262143328850\n");
  root.write("sys/class/powercap/intel-rapl:0:0/name", "dram\n");
  root.write("sys/class/powercap/intel-rapl:0:0/energy_uj", "10\n");
  root.write("sys/class/powercap/intel-rapl:0:0/max_energy_range_uj", "262143328850\n");
  Discovery found = discover(root.paths(), {});
  const ProbeResult& powercap = probe_named(found.probes, "powercap");
  ASSERT_TRUE(powercap.usable) << powercap.reason;
  EXPECT_GE(powercap.domains.size(), 2u);
  const ProbeResult& estimate = probe_named(found.probes, "estimate");
  EXPECT_NE(estimate.reason.find("not used"), std::string::npos) << estimate.reason;
  for (const auto& source : found.sources) EXPECT_NE(source->name(), "estimate");
  ASSERT_FALSE(found.sources.empty());
  for (const auto& d : found.sources.front()->domains()) EXPECT_EQ(d.kind, Kind::measured);
}

TEST(Discovery, ProbeAllAndOpenSourcesAgree) {
  testing::FakeRoot root;
  write_cpuinfo(root);
  EXPECT_EQ(probe_all(root.paths(), {}).size(), 5u);
  auto sources = open_sources(root.paths(), {});
  ASSERT_FALSE(sources.empty());
  EXPECT_EQ(sources.back()->name(), "estimate");
}

}  // namespace
}  // namespace greentune::energy
