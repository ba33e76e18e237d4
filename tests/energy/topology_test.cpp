#include "greentune/energy/cpu_topology.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "energy/fake_sysfs.hpp"
#include "greentune/energy/sysfs_read.hpp"

namespace greentune::energy {
namespace {

using ::testing::ElementsAre;
using testing::FakeRoot;

TEST(Topology, PackagesCoresAndFirstCpus) {
  FakeRoot root;
  root.write_topology(2, 4, 2);                                // 2 packages x 2 cores x 2 threads
  root.write("sys/devices/system/cpu/cpufreq/policy0/x", "");  // not a CPU directory
  root.write("sys/devices/system/cpu/cpu9/online", "0\n");     // offline: no topology
  auto topology = read_cpu_topology(root.paths());
  ASSERT_EQ(topology.packages.size(), 2u);
  EXPECT_THAT(topology.packages.at(0), ElementsAre(0, 1, 4, 5));
  EXPECT_THAT(topology.packages.at(1), ElementsAre(2, 3, 6, 7));
  EXPECT_EQ(topology.first_cpu(1), 2);
  EXPECT_THAT(topology.core_firsts.at(0), ElementsAre(0, 1));  // SMT siblings 4, 5 left out
  EXPECT_THAT(topology.core_firsts.at(1), ElementsAre(2, 3));
  EXPECT_EQ(topology.package_of_cpu.at(6), 1);
  EXPECT_EQ(topology.package_of_cpu.count(9), 0u);
}

TEST(Topology, MissingSysfsGivesEmptyTopology) {
  FakeRoot root;
  EXPECT_TRUE(read_cpu_topology(root.paths()).packages.empty());
}

TEST(Topology, CpuListParsing) {
  EXPECT_THAT(*parse_cpu_list("0"), ElementsAre(0));
  EXPECT_THAT(*parse_cpu_list("0,18\n"), ElementsAre(0, 18));
  EXPECT_THAT(*parse_cpu_list("0-2,8-9"), ElementsAre(0, 1, 2, 8, 9));
  EXPECT_TRUE(parse_cpu_list("")->empty());
  EXPECT_FALSE(parse_cpu_list("a"));
  EXPECT_FALSE(parse_cpu_list("3-1"));
  EXPECT_FALSE(parse_cpu_list("0,,1"));
}

TEST(Topology, NumbersAreWholeOrNothing) {
  EXPECT_EQ(parse_u64("123\n"), 123u);
  EXPECT_FALSE(parse_u64("12ab"));
  EXPECT_FALSE(parse_u64("-1"));
  EXPECT_FALSE(parse_u64(""));
  EXPECT_FALSE(parse_u64("99999999999999999999999"));
  EXPECT_EQ(parse_u64_auto("0x1F"), 31u);
  EXPECT_EQ(parse_u64_auto("17"), 17u);
  EXPECT_FALSE(parse_u64_auto("0xg"));
}

TEST(Topology, SystemPathsFromEnvironment) {
  setenv("GREENTUNE_SYSFS_ROOT", "/host/sys", 1);
  setenv("GREENTUNE_DEV_ROOT", "/host/dev", 1);
  unsetenv("GREENTUNE_PROC_ROOT");
  auto paths = SystemPaths::from_environment();
  EXPECT_EQ(paths.sysfs_root, "/host/sys");
  EXPECT_EQ(paths.dev_root, "/host/dev");
  EXPECT_EQ(paths.proc_root, "/proc");
  unsetenv("GREENTUNE_SYSFS_ROOT");
  unsetenv("GREENTUNE_DEV_ROOT");
  EXPECT_EQ(SystemPaths::from_environment().sysfs_root, "/sys");
  EXPECT_STREQ(to_string(Kind::measured), "measured");
  EXPECT_STREQ(to_string(Kind::estimated), "estimated");
}

}  // namespace
}  // namespace greentune::energy
