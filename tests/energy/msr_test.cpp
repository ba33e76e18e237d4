#include "greentune/energy/msr.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>

#include "energy/fake_sysfs.hpp"

namespace greentune::energy {
namespace {

using ::testing::ElementsAre;
using testing::FakeRoot;
using ::testing::HasSubstr;

std::string msr_file(int cpu) {
  return "dev/cpu/" + std::to_string(cpu) + "/msr";
}

std::vector<std::string> names(const std::vector<DomainInfo>& domains) {
  std::vector<std::string> out;
  for (const auto& d : domains) out.push_back(d.name);
  return out;
}

// Two Intel sockets of 4 CPUs; package, DRAM and PP0 present, PP1 absent (as on servers).
void write_intel(const FakeRoot& root) {
  root.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon\n");
  root.write_topology(2, 4);
  for (int cpu : {0, 4}) {
    // Power-unit register: ESU = 14 in bits 12:8 -> 1/16384 J (61 uJ), as on most Intel parts;
    // the other fields must not leak into the unit.
    root.write_u64_at(msr_file(cpu), 0x606, 0x000A0E03);
    root.write_u64_at(msr_file(cpu), 0x611, 0x12345678'00001000 + static_cast<uint64_t>(cpu));
    root.write_u64_at(msr_file(cpu), 0x619, 2000 + static_cast<uint64_t>(cpu));
    root.write_u64_at(msr_file(cpu), 0x639, 300);
  }
}

TEST(Msr, IntelTwoSocketsOneCpuEach) {
  FakeRoot root;
  write_intel(root);
  ProbeResult result;
  auto source = open_msr(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  EXPECT_EQ(result.source, "msr");
  auto domains = source->domains();
  EXPECT_THAT(names(domains),
              ElementsAre("package-0", "dram-0", "core-0", "package-1", "dram-1", "core-1"));
  EXPECT_THAT(result.reason, HasSubstr("uncore-0 not present"));
  EXPECT_THAT(domains[3].method, HasSubstr("0x611 on CPU 4"));
  EXPECT_FALSE(domains[0].part_of_parent);
  EXPECT_FALSE(domains[1].part_of_parent);
  EXPECT_TRUE(domains[2].part_of_parent);

  auto reads = source->read();
  ASSERT_EQ(reads.size(), 6u);
  for (const auto& r : reads) {
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.wraps_at, uint64_t{1} << 32);
    EXPECT_DOUBLE_EQ(r.joules_per_unit, 1.0 / 16384);
  }
  EXPECT_EQ(reads[0].value, 0x1000u);  // only the low 32 bits count
  EXPECT_EQ(reads[3].value, 0x1004u);
  EXPECT_EQ(reads[1].value, 2000u);
  EXPECT_EQ(reads[4].value, 2004u);
  // Half of 2^32 units of 61 uJ (262 kJ) at 1000 W: 131 s.
  EXPECT_EQ(source->max_read_interval().count(), 131072);
}

TEST(Msr, IntelServerDramUsesTheFixedUnit) {
  FakeRoot root;
  write_intel(root);
  // Skylake-SP (family 6, model 85): DRAM counts 15.3 uJ steps whatever the unit register says.
  root.write("proc/cpuinfo",
             "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
             "model name\t: Intel(R) Xeon(R) Gold 6130\n\nprocessor\t: 1\nmodel\t\t: 1\n");
  ProbeResult result;
  auto source = open_msr(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  auto reads = source->read();
  EXPECT_DOUBLE_EQ(reads[0].joules_per_unit, 1.0 / 16384);  // package keeps the register's unit
  EXPECT_DOUBLE_EQ(reads[1].joules_per_unit, 15.3e-6);      // dram-0
  EXPECT_THAT(source->domains()[1].method, HasSubstr("fixed 15.3 uJ"));
  // A client part (Alder Lake, model 151) uses the register's unit for DRAM too.
  root.write("proc/cpuinfo", "vendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 151\n");
  source = open_msr(root.paths(), result);
  ASSERT_TRUE(source);
  EXPECT_DOUBLE_EQ(source->read()[1].joules_per_unit, 1.0 / 16384);
}

TEST(Msr, IntelCounterWrapsAt32Bits) {
  FakeRoot root;
  write_intel(root);
  root.write_u64_at(msr_file(0), 0x611, 0xFFFF'FF00);
  ProbeResult result;
  auto source = open_msr(root.paths(), result);
  ASSERT_TRUE(source);
  uint64_t previous = source->read()[0].value;
  uint64_t raw = 0xFFFF'FF00, flowed = 0, seen = 0;
  for (int step = 0; step < 5; ++step) {
    raw += 0x6000'0000;  // the hardware counter's upper bits are reserved: keep them changing
    root.write_u64_at(msr_file(0), 0x611, raw);
    flowed += 0x6000'0000;
    auto read = source->read()[0];
    ASSERT_TRUE(read.ok);
    EXPECT_EQ(read.value, raw & 0xFFFF'FFFF);
    seen += (read.value + read.wraps_at - previous) % read.wraps_at;
    previous = read.value;
  }
  EXPECT_EQ(seen, flowed);  // 7.5 x 2^30 units through two wraps
}

TEST(Msr, AmdPackageAndSummedCores) {
  FakeRoot root;
  root.write("proc/cpuinfo", "vendor_id\t: AuthenticAMD\n");
  root.write_topology(1, 4, 2);  // 2 cores x 2 threads: cpus 0,1 first threads; 2,3 siblings
  constexpr uint64_t unit = 0xC0010299, core = 0xC001029A, package = 0xC001029B;
  auto low32 = [&](int cpu, uint64_t address) {
    return root.read_u64_at(msr_file(cpu), address) & 0xFFFF'FFFF;
  };
  for (int cpu = 0; cpu < 4; ++cpu) {
    root.write_u64_at(msr_file(cpu), unit, 0x000A1003);
    root.write_u64_at(msr_file(cpu), package, 0x0000'7777'0000'0000);
    // Written last, so the core counter is exact; its low byte (0xF0) is also the unit
    // register's bits 15:8, so ESU = 16 (15.3 uJ, as on Zen).
    root.write_u64_at(msr_file(cpu), core, 0xFFFF'FFF0);
  }
  ProbeResult result;
  auto source = open_msr(root.paths(), result);
  ASSERT_TRUE(source) << result.reason;
  auto domains = source->domains();
  ASSERT_THAT(names(domains), ElementsAre("package-0", "core-0"));
  EXPECT_THAT(domains[1].method, HasSubstr("summed over 2 cores"));
  EXPECT_TRUE(domains[1].part_of_parent);
  auto reads = source->read();
  EXPECT_EQ(reads[0].value, low32(0, package));
  EXPECT_EQ(reads[0].wraps_at, uint64_t{1} << 32);
  EXPECT_DOUBLE_EQ(reads[0].joules_per_unit, std::ldexp(1.0, -16));
  EXPECT_DOUBLE_EQ(reads[1].joules_per_unit, std::ldexp(1.0, -16));
  EXPECT_EQ(reads[1].value, 0u);  // cores count from the source's start
  EXPECT_EQ(reads[1].wraps_at, 0u);

  // Core 0 wraps (+0x20), core 1 moves +5; SMT siblings (cpus 2,3) must not be counted.
  root.write_u64_at(msr_file(0), core, 0x10);
  root.write_u64_at(msr_file(1), core, 0xFFFF'FFF5);
  root.write_u64_at(msr_file(2), core, 0x5000);
  reads = source->read();
  EXPECT_TRUE(reads[1].ok);
  EXPECT_EQ(reads[1].value, 0x20u + 5u);
  root.write_u64_at(msr_file(1), core, 0x4);  // wraps too
  EXPECT_EQ(source->read()[1].value, 0x20u + 5u + 0xFu);
}

TEST(Msr, NoMsrDeviceSaysLoadTheModule) {
  FakeRoot root;
  root.write("proc/cpuinfo", "vendor_id\t: GenuineIntel\n");
  root.write_topology(1, 2);
  ProbeResult result;
  EXPECT_FALSE(open_msr(root.paths(), result));
  EXPECT_FALSE(result.usable);
  EXPECT_THAT(result.reason, HasSubstr("no MSR device " + (root.path() / msr_file(0)).string()));
  EXPECT_THAT(result.reason, HasSubstr("sudo modprobe msr"));
}

TEST(Msr, UnknownVendorSaysSo) {
  FakeRoot root;
  root.write("proc/cpuinfo", "vendor_id\t: CentaurHauls\n");
  ProbeResult result;
  EXPECT_FALSE(open_msr(root.paths(), result));
  EXPECT_THAT(result.reason, HasSubstr("neither GenuineIntel nor AuthenticAMD"));
}

TEST(Msr, MissingUnitRegisterMeansNoRapl) {
  FakeRoot root;
  root.write("proc/cpuinfo", "vendor_id\t: GenuineIntel\n");
  root.write_topology(1, 1);
  root.write(msr_file(0), "");  // empty file: every pread comes back short, like EIO
  ProbeResult result;
  EXPECT_FALSE(open_msr(root.paths(), result));
  EXPECT_THAT(result.reason, HasSubstr("power-unit MSR on CPU 0"));
}

TEST(Msr, PermissionDeniedGivesTheCommand) {
  FakeRoot root;
  write_intel(root);
  for (int cpu : {0, 4}) {
    std::filesystem::permissions(root.path() / msr_file(cpu), std::filesystem::perms::none);
  }
  auto paths = root.paths();
  std::string reason = testing::run_as_nobody([&] {
    ProbeResult result;
    auto source = open_msr(paths, result);
    return std::string(source ? "opened" : "refused") + "|" + result.reason;
  });
  EXPECT_THAT(reason, ::testing::StartsWith("refused|permission denied opening "));
  EXPECT_THAT(reason, HasSubstr("setcap cap_sys_rawio=ep"));
  EXPECT_THAT(reason, HasSubstr("root"));
}

}  // namespace
}  // namespace greentune::energy
