#include "greentune/energy/powercap.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "energy/fake_sysfs.hpp"
#include "greentune/energy/monitor.hpp"

namespace greentune::energy {
namespace {

using testing::FakeRoot;
using ::testing::HasSubstr;

constexpr uint64_t kRange = 262143328850;  // a real max_energy_range_uj

void write_zone(const FakeRoot& root, const std::string& id, const std::string& name,
                uint64_t energy, uint64_t range = kRange) {
  auto dir = std::filesystem::path("sys/class/powercap") / id;
  root.write(dir / "name", name + "\n");
  root.write(dir / "energy_uj", std::to_string(energy) + "\n");
  root.write(dir / "max_energy_range_uj", std::to_string(range) + "\n");
}

// Two sockets with core/uncore/dram subzones, a psys zone, and an MMIO copy of package-0.
void write_two_socket_tree(const FakeRoot& root) {
  write_zone(root, "intel-rapl:0", "package-0", 1000);
  write_zone(root, "intel-rapl:0:0", "core", 100);
  write_zone(root, "intel-rapl:0:1", "uncore", 10);
  write_zone(root, "intel-rapl:0:2", "dram", 500);
  write_zone(root, "intel-rapl:1", "package-1", 2000);
  write_zone(root, "intel-rapl:1:0", "core", 200);
  write_zone(root, "intel-rapl:1:1", "dram", 600);
  write_zone(root, "intel-rapl:2", "psys", 9000);
  write_zone(root, "intel-rapl-mmio:0", "package-0", 1001);
  root.write("sys/class/powercap/intel-rapl/enabled", "1\n");  // the control type, not a zone
}

std::vector<std::string> names(const std::vector<DomainInfo>& domains) {
  std::vector<std::string> out;
  for (const auto& d : domains) out.push_back(d.name);
  return out;
}

const DomainInfo& find(const std::vector<DomainInfo>& domains, const std::string& name) {
  for (const auto& d : domains)
    if (d.name == name) return d;
  throw std::runtime_error("no domain " + name);
}

TEST(Powercap, TwoSocketsWithSubzonesPsysAndMmioDuplicate) {
  FakeRoot root;
  write_two_socket_tree(root);
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_TRUE(result.usable);
  EXPECT_EQ(result.source, "powercap");
  auto domains = source->domains();
  EXPECT_THAT(names(domains),
              ::testing::UnorderedElementsAre("package-0", "core-0", "uncore-0", "dram-0",
                                              "package-1", "core-1", "dram-1", "psys"));
  EXPECT_EQ(names(result.domains), names(domains));
  // The MSR-backed zone is kept, not its MMIO copy.
  EXPECT_THAT(find(domains, "package-0").method, HasSubstr("intel-rapl:0 "));
  // Subzones inside a package, and psys over everything, are never added to totals.
  EXPECT_FALSE(find(domains, "package-0").part_of_parent);
  EXPECT_FALSE(find(domains, "package-1").part_of_parent);
  EXPECT_FALSE(find(domains, "dram-0").part_of_parent);
  EXPECT_TRUE(find(domains, "core-0").part_of_parent);
  EXPECT_TRUE(find(domains, "uncore-0").part_of_parent);
  EXPECT_TRUE(find(domains, "core-1").part_of_parent);
  EXPECT_TRUE(find(domains, "psys").part_of_parent);
  for (const auto& d : domains) {
    EXPECT_EQ(d.source, "powercap");
    EXPECT_EQ(d.kind, Kind::measured);
  }

  auto reads = source->read();
  ASSERT_EQ(reads.size(), domains.size());
  for (size_t i = 0; i < reads.size(); ++i) {
    EXPECT_TRUE(reads[i].ok) << domains[i].name;
    EXPECT_EQ(reads[i].wraps_at, kRange + 1);
    EXPECT_DOUBLE_EQ(reads[i].joules_per_unit, 1e-6);
  }
  auto value_of = [&](const std::string& name) {
    for (size_t i = 0; i < domains.size(); ++i)
      if (domains[i].name == name) return reads[i].value;
    return uint64_t{0};
  };
  EXPECT_EQ(value_of("package-0"), 1000u);
  EXPECT_EQ(value_of("dram-1"), 600u);
  EXPECT_EQ(value_of("psys"), 9000u);
}

TEST(Powercap, MmioOnlyZoneIsUsedWhenNoMsrCopyExists) {
  FakeRoot root;
  write_zone(root, "intel-rapl:0", "package-0", 1);
  write_zone(root, "intel-rapl-mmio:0", "package-0", 2);
  write_zone(root, "intel-rapl-mmio:1", "package-1", 3);
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(names(source->domains()), ::testing::ElementsAre("package-0", "package-1"));
  EXPECT_THAT(source->domains()[1].method, HasSubstr("intel-rapl-mmio:1"));
}

TEST(Powercap, TwoZonesWithOneNameAreBothKept) {
  FakeRoot root;
  write_zone(root, "intel-rapl:0", "package-0", 1);
  write_zone(root, "intel-rapl:1", "psys", 2);
  write_zone(root, "intel-rapl:2", "package-1", 3);
  write_zone(root, "intel-rapl:3", "psys", 4);
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(names(source->domains()),
              ::testing::ElementsAre("package-0", "psys", "package-1", "psys-zone3"));
}

TEST(Powercap, MultiDiePackagesKeepTheirSubzonesApart) {
  FakeRoot root;
  write_zone(root, "intel-rapl:0", "package-0-die-0", 1);
  write_zone(root, "intel-rapl:0:0", "dram", 2);
  write_zone(root, "intel-rapl:1", "package-0-die-1", 3);
  write_zone(root, "intel-rapl:1:0", "dram", 4);
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(names(source->domains()), ::testing::ElementsAre("package-0-die-0", "dram-0-die-0",
                                                               "package-0-die-1", "dram-0-die-1"));
}

TEST(Powercap, MirroredDiesOfOneSocketAreCountedOnce) {
  // AMD multi-die packages: two die zones that read the one socket counter.
  FakeRoot root;
  constexpr uint64_t range = 99'999'999;
  write_zone(root, "intel-rapl:0", "package-0-die-0", 50'000'000, range);
  write_zone(root, "intel-rapl:1", "package-0-die-1", 50'000'000, range);
  write_zone(root, "intel-rapl:2", "package-1-die-0", 7'000'000, range);  // another socket
  for (const char* id : {"intel-rapl:0", "intel-rapl:1", "intel-rapl:2"}) {
    root.write(std::string("sys/class/powercap/") + id + "/constraint_0_max_power_uw", "500000\n");
  }
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(names(source->domains()),
              ::testing::ElementsAre("package-0-die-0", "package-1-die-0"));
  EXPECT_THAT(result.reason, HasSubstr("intel-rapl:1 (package-0-die-1): the same counter as "
                                       "intel-rapl:0 (package-0-die-0)"));
  EXPECT_THAT(source->domains()[0].method, HasSubstr("also exposed as intel-rapl:1"));

  // Measured, the socket's 10 J count once.
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::move(source));
  MonitorOptions options;
  options.interval = std::chrono::seconds(10);
  Monitor monitor(std::move(sources), options);
  monitor.begin("work");
  for (const char* id : {"intel-rapl:0", "intel-rapl:1"}) {
    root.write(std::string("sys/class/powercap/") + id + "/energy_uj", "60000000\n");
  }
  Measurement m = monitor.end("work");
  EXPECT_NEAR(m.total_joules, 10.0, 1e-9);
}

TEST(Powercap, DiesWithTheirOwnCountersAreAllKept) {
  FakeRoot root;
  write_zone(root, "intel-rapl:0", "package-0-die-0", 1'000'000);
  write_zone(root, "intel-rapl:1", "package-0-die-1", 2'500'000);
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_THAT(names(source->domains()),
              ::testing::ElementsAre("package-0-die-0", "package-0-die-1"));
  EXPECT_EQ(result.reason, "");
}

TEST(Powercap, CounterFasterThanPromisedShortensTheIntervalAndFlagsAPossibleMissedWrap) {
  // A 100 J range and a stated 10 mW limit: read every 2500 s (half the range at 2 x 10 mW), so
  // the sampler thread never reads during the test. The counter then advances 70 J between two
  // reads: far faster than promised, so a whole wrap may hide in such a step.
  FakeRoot root;
  constexpr uint64_t range = 99'999'999;
  write_zone(root, "intel-rapl:0", "package-0", 0, range);
  root.write("sys/class/powercap/intel-rapl:0/constraint_0_max_power_uw", "10000\n");
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  ASSERT_EQ(source->max_read_interval(), std::chrono::seconds(2500));
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::move(source));
  MonitorOptions options;
  options.interval = std::chrono::hours(1);
  Monitor monitor(std::move(sources), options);
  ASSERT_EQ(monitor.interval(), std::chrono::seconds(2500));

  monitor.begin("calm");
  root.write("sys/class/powercap/intel-rapl:0/energy_uj", "10000000\n");  // 10 J: 10 % of range
  Measurement calm = monitor.end("calm");
  EXPECT_FALSE(calm.wrap_may_be_missed);
  EXPECT_TRUE(calm.warnings.empty());
  EXPECT_EQ(monitor.interval(), std::chrono::seconds(2500));

  monitor.begin("fast");
  root.write("sys/class/powercap/intel-rapl:0/energy_uj", "80000000\n");  // 70 J in one step
  Measurement fast = monitor.end("fast");
  EXPECT_NEAR(fast.total_joules, 70.0, 1e-9);
  EXPECT_TRUE(fast.wrap_may_be_missed);
  EXPECT_TRUE(fast.domains.at(0).wrap_may_be_missed);
  ASSERT_EQ(fast.warnings.size(), 1u);
  EXPECT_THAT(fast.warnings[0], HasSubstr("package-0"));
  EXPECT_THAT(fast.warnings[0], HasSubstr("70%"));
  EXPECT_THAT(fast.warnings[0], HasSubstr("may have gone unseen"));
  // Now bounded by the step seen: a quarter of the range at its pace is about a third of the
  // time between the two reads, far below the promised 2500 s.
  EXPECT_LT(monitor.interval(), std::chrono::seconds(2500));
  // The next window, without such a step, is not flagged.
  monitor.begin("after");
  Measurement after = monitor.end("after");
  EXPECT_FALSE(after.wrap_may_be_missed);
}

TEST(Powercap, ReadsFollowACounterThatWrapsSeveralTimes) {
  FakeRoot root;
  constexpr uint64_t range = 999'999;  // small range: wraps_at = 1e6 uJ = 1 J
  write_zone(root, "intel-rapl:0", "package-0", 900'000, range);
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  // Drive 0.3 J per step through several wraps; every raw read is the kernel's value, and the
  // modular differences add up to the energy that flowed.
  uint64_t expected_total = 0, measured_total = 0;
  uint64_t previous = source->read().at(0).value;
  EXPECT_EQ(previous, 900'000u);
  uint64_t counter = 900'000;
  for (int step = 0; step < 12; ++step) {
    counter = (counter + 300'000) % (range + 1);
    expected_total += 300'000;
    root.write("sys/class/powercap/intel-rapl:0/energy_uj", std::to_string(counter) + "\n");
    auto read = source->read().at(0);
    ASSERT_TRUE(read.ok);
    EXPECT_EQ(read.value, counter);
    EXPECT_EQ(read.wraps_at, range + 1);
    measured_total += (read.value + read.wraps_at - previous) % read.wraps_at;
    previous = read.value;
  }
  EXPECT_EQ(measured_total, expected_total);  // 3.6 J through 3 wraps
  // Half a 1 J range at the fallback 1000 W is 0.5 ms; the bound is clamped to at least 1 ms.
  EXPECT_EQ(source->max_read_interval(), std::chrono::milliseconds(1));
}

TEST(Powercap, MonitorWindowOverAWrappingTreeGivesTheRightJoules) {
  FakeRoot root;
  // 100 J ranges and 0.5 W stated limits (bound: half of 100 J at 2 x 0.5 W = 50 s), so the sampler
  // thread stays idle and every read below is one the test forces with peek().
  constexpr uint64_t range = 99'999'999;
  const std::vector<std::pair<std::string, std::string>> zones = {{"intel-rapl:0", "package-0"},
                                                                  {"intel-rapl:0:0", "core"},
                                                                  {"intel-rapl:0:1", "dram"},
                                                                  {"intel-rapl:1", "package-1"},
                                                                  {"intel-rapl:2", "psys"}};
  for (const auto& [id, name] : zones) {
    write_zone(root, id, name, 90'000'000, range);
    root.write("sys/class/powercap/" + id + "/constraint_0_max_power_uw", "500000\n");
  }
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_EQ(source->max_read_interval(), std::chrono::seconds(50));
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::move(source));
  MonitorOptions options;
  options.interval = std::chrono::seconds(10);
  Monitor monitor(std::move(sources), options);

  monitor.begin("training");
  // Per step: package 40 J, core 30 J, dram 10 J, psys 45 J; ten steps wrap package 4 times.
  const std::map<std::string, uint64_t> per_step = {{"intel-rapl:0", 40'000'000},
                                                    {"intel-rapl:0:0", 30'000'000},
                                                    {"intel-rapl:0:1", 10'000'000},
                                                    {"intel-rapl:1", 40'000'000},
                                                    {"intel-rapl:2", 45'000'000}};
  std::map<std::string, uint64_t> counter;
  for (const auto& [id, name] : zones) counter[id] = 90'000'000;
  for (int step = 0; step < 10; ++step) {
    for (auto& [id, value] : counter) {
      value = (value + per_step.at(id)) % (range + 1);
      root.write("sys/class/powercap/" + id + "/energy_uj", std::to_string(value) + "\n");
    }
    monitor.peek("training");
  }
  Measurement m = monitor.end("training");
  std::map<std::string, double> joules;
  for (const auto& d : m.domains) joules[d.info.name] = d.joules;
  EXPECT_NEAR(joules["package-0"], 400, 1e-6);
  EXPECT_NEAR(joules["core-0"], 300, 1e-6);
  EXPECT_NEAR(joules["dram-0"], 100, 1e-6);
  EXPECT_NEAR(joules["package-1"], 400, 1e-6);
  EXPECT_NEAR(joules["psys"], 450, 1e-6);
  // Packages and DRAM add up; the core subzone and psys (which contains them) do not.
  EXPECT_NEAR(m.total_joules, 900, 1e-6);
  EXPECT_EQ(m.missed_samples, 0u);
}

TEST(Powercap, MaxReadIntervalUsesStatedMaxPower) {
  FakeRoot root;
  write_zone(root, "intel-rapl:0", "package-0", 0, 99'999'999);  // 100 J range
  root.write("sys/class/powercap/intel-rapl:0/constraint_0_max_power_uw", "125000000\n");
  root.write("sys/class/powercap/intel-rapl:0/constraint_1_max_power_uw", "25000000\n");
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  // Half of 100 J at 2 x 125 W = 0.2 s.
  EXPECT_EQ(source->max_read_interval(), std::chrono::milliseconds(200));
}

TEST(Powercap, NonNumericValueAtReadTimeIsAFailedReadNotGarbage) {
  FakeRoot root;
  write_two_socket_tree(root);
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source);
  root.write("sys/class/powercap/intel-rapl:1/energy_uj", "12ab\n");
  auto domains = source->domains();
  auto reads = source->read();
  for (size_t i = 0; i < domains.size(); ++i) {
    EXPECT_EQ(reads[i].ok, domains[i].name != "package-1") << domains[i].name;
    if (!reads[i].ok) {
      EXPECT_EQ(reads[i].value, 0u);
    }
  }
  // Beyond the stated range is as impossible as letters.
  root.write("sys/class/powercap/intel-rapl:1/energy_uj", std::to_string(kRange + 1) + "\n");
  for (size_t i = 0; i < domains.size(); ++i) {
    if (domains[i].name == "package-1") {
      EXPECT_FALSE(source->read()[i].ok);
    }
  }
}

TEST(Powercap, UnreadableFileAtReadTimeIsAFailedRead) {
  FakeRoot root;
  write_zone(root, "intel-rapl:0", "package-0", 5);
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source);
  // A directory in the file's place fails to read even for root, where chmod 000 would not.
  auto file = root.path() / "sys/class/powercap/intel-rapl:0/energy_uj";
  std::filesystem::remove(file);
  std::filesystem::create_directory(file);
  EXPECT_FALSE(source->read().at(0).ok);
  std::filesystem::remove(file);
  EXPECT_FALSE(source->read().at(0).ok);
  root.write("sys/class/powercap/intel-rapl:0/energy_uj", "7\n");
  EXPECT_TRUE(source->read().at(0).ok);
  EXPECT_EQ(source->read().at(0).value, 7u);
}

TEST(Powercap, CounterGoingBackwardsIsReportedAsRead) {
  FakeRoot root;
  write_zone(root, "intel-rapl:0", "package-0", 5000);
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source);
  root.write("sys/class/powercap/intel-rapl:0/energy_uj", "4000\n");
  auto read = source->read().at(0);
  EXPECT_TRUE(read.ok);
  EXPECT_EQ(read.value, 4000u);  // the Monitor decides what a backwards step means
}

TEST(Powercap, BadZonesAreSkippedWithReasons) {
  FakeRoot root;
  write_zone(root, "intel-rapl:0", "package-0", 5);
  write_zone(root, "intel-rapl:1", "package-1", 0);
  root.write("sys/class/powercap/intel-rapl:1/energy_uj", "n/a\n");
  write_zone(root, "intel-rapl:2", "package-2", 0);
  root.write("sys/class/powercap/intel-rapl:2/max_energy_range_uj", "\n");
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source);
  EXPECT_THAT(names(source->domains()), ::testing::ElementsAre("package-0"));
  EXPECT_THAT(result.reason, HasSubstr("intel-rapl:1: energy_uj is not a number: 'n/a'"));
  EXPECT_THAT(result.reason, HasSubstr("intel-rapl:2: max_energy_range_uj"));
}

TEST(Powercap, OnlyFoldersNamedLikeZonesAreZones) {
  // The names std::regex `^(intel-rapl|intel-rapl-mmio):(\d+)(?::(\d+))?$` refused (and a zone
  // number past 64 bits, which it let through to an empty optional), and package-N-die-M
  // lookalikes that are not dies, so never one socket's copies.
  FakeRoot root;
  write_zone(root, "intel-rapl:0", "package-0-die-0", 50'000'000);
  write_zone(root, "intel-rapl:0:0", "package-0-die-1", 50'000'000);  // a subzone: never a die
  write_zone(root, "intel-rapl:1", "package-0-die-1x", 50'000'000);
  write_zone(root, "intel-rapl:2", "package-0-die-", 50'000'000);
  write_zone(root, "intel-rapl:3", "package--die-1", 50'000'000);
  for (const char* folder :
       {"intel-rapl", "intel-rapl:", "intel-rapl:x", "intel-rapl:4:", "intel-rapl:5:1:2",
        "intel-rapl:6x", "intel-rapl-mmio", "intel-rapl:-7", "intel-rapl-mmio:", "Intel-rapl:8",
        "intel-rapl:99999999999999999999"}) {
    write_zone(root, folder, std::string("not-") + folder, 1);
  }
  ProbeResult result;
  auto source = open_powercap(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  std::vector<std::string> found = names(source->domains());
  std::sort(found.begin(), found.end());
  // All five counters read alike: a lookalike taken for a die of package 0 would be dropped.
  EXPECT_THAT(found, ::testing::ElementsAre("package--die-1", "package-0-die-", "package-0-die-0",
                                            "package-0-die-1-0-die-0", "package-0-die-1x"));
}

TEST(Powercap, NoTreeSaysWhy) {
  FakeRoot root;
  ProbeResult result;
  EXPECT_FALSE(open_powercap(root.paths(), result));
  EXPECT_FALSE(result.usable);
  EXPECT_THAT(result.reason, HasSubstr("no powercap tree at " + root.paths().sysfs_root.string()));
  root.write("sys/class/powercap/dtpm/enabled", "1\n");
  EXPECT_FALSE(open_powercap(root.paths(), result));
  EXPECT_THAT(result.reason, HasSubstr("no intel-rapl:* or intel-rapl-mmio:* zones"));
}

TEST(Powercap, PermissionDeniedGivesTheCommand) {
  FakeRoot root;
  write_two_socket_tree(root);
  for (const auto& entry :
       std::filesystem::directory_iterator(root.path() / "sys/class/powercap")) {
    if (std::filesystem::exists(entry.path() / "energy_uj")) {
      std::filesystem::permissions(entry.path() / "energy_uj", std::filesystem::perms::none);
    }
  }
  auto paths = root.paths();
  // Mode 000 stops everyone but root; as root, check from a child that has dropped it.
  std::string reason = testing::run_as_nobody([&] {
    ProbeResult result;
    auto source = open_powercap(paths, result);
    return std::string(source ? "opened" : "refused") + "|" + result.reason;
  });
  EXPECT_THAT(reason, ::testing::StartsWith("refused|permission denied reading "));
  auto pattern = (paths.sysfs_root / "class/powercap/intel-rapl").string();
  EXPECT_THAT(reason, HasSubstr("sudo chmod a+r " + pattern + "*/energy_uj ("));
  EXPECT_THAT(reason, HasSubstr("udev rule"));
}

}  // namespace
}  // namespace greentune::energy
