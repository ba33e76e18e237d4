#include "greentune/energy/cpu_tdp.hpp"

#include <gtest/gtest.h>

namespace greentune::energy {
namespace {

TEST(CpuTdp, TableIsCompiledInWithEveryRow) {
  const auto& table = cpu_tdp_table();
  // resources/cpu_power.csv has 4,903 rows; "Intel Quark Microcontroller D1000,0.0" is skipped
  // because a TDP of 0 W would make every estimate on that CPU zero.
  EXPECT_EQ(table.size(), 4902u);
  auto it = std::find_if(table.begin(), table.end(), [](const TdpEntry& e) {
    return e.name == "Intel EP80579 Integrated, 1066 MHz";
  });
  ASSERT_NE(it, table.end()) << "a quoted name with a comma must parse as one field";
  EXPECT_DOUBLE_EQ(it->watts, 18.0);
}

TEST(CpuTdp, NormalizesVendorNoise) {
  EXPECT_EQ(normalize_cpu_name("Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz"),
            "intel xeon e5-2620 v3");
  EXPECT_EQ(normalize_cpu_name("AMD EPYC 8024P 8-Core Processor"), "amd epyc 8024p");
  EXPECT_EQ(normalize_cpu_name("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz"), "intel core i7-8700");
  EXPECT_EQ(normalize_cpu_name("  AMD   EPYC "), "amd epyc");
}

struct Case {
  const char* cpuinfo_model;
  const char* entry;
  double watts;
};

class CpuTdpMatch : public testing::TestWithParam<Case> {};

TEST_P(CpuTdpMatch, FindsTheTableEntry) {
  auto match = match_cpu_tdp(GetParam().cpuinfo_model);
  ASSERT_TRUE(match) << GetParam().cpuinfo_model;
  EXPECT_EQ(match->name, GetParam().entry);
  EXPECT_DOUBLE_EQ(match->watts, GetParam().watts);
}

// Model names as /proc/cpuinfo writes them (the load-profile CPUs among them).
INSTANTIATE_TEST_SUITE_P(
    CpuInfoNames, CpuTdpMatch,
    testing::Values(Case{"Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz", "Intel Xeon E5-2620 v3", 85},
                    Case{"Intel(R) Xeon(R) CPU E3-1240 V2 @ 3.40GHz", "Intel Xeon E3-1240 v2", 69},
                    Case{"AMD EPYC 8024P 8-Core Processor", "AMD EPYC 8024P", 90},
                    Case{"AMD Ryzen Threadripper 1950X 16-Core Processor",
                         "AMD Ryzen Threadripper 1950X", 180},
                    Case{"AMD EPYC 7763 64-Core Processor", "AMD EPYC 7763", 280},
                    Case{"Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", "Intel Core i7-8700", 65},
                    Case{"Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", "Intel Xeon Gold 6248R", 205},
                    Case{"AMD Phenom(tm) II X6 1075T Processor", "AMD Phenom II X6 1075T", 125},
                    // a vendor-less entry found by its words inside a longer name
                    Case{"AMD Opteron(tm) Processor 3260 HE", "AMD Opteron 3260 HE", 45},
                    Case{"Quad-Core AMD X940 Black Edition", "AMD X940", 45}));

TEST(CpuTdp, VendorFamilyWithoutModelNumberMatchesNothing) {
  EXPECT_FALSE(match_cpu_tdp("AMD EPYC"));  // what this project's VMs report
  EXPECT_FALSE(match_cpu_tdp("Intel Xeon Processor (Skylake, IBRS)"));
  EXPECT_FALSE(match_cpu_tdp(""));
  EXPECT_FALSE(match_cpu_tdp("QEMU Virtual CPU version 2.5+"));
}

}  // namespace
}  // namespace greentune::energy
