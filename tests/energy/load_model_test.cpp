// The estimate's watts per logical CPU: TDP / hardware threads of the physical part, never
// TDP / vCPUs of a VM.
#include "greentune/energy/load_model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "energy/fake_sysfs.hpp"
#include "greentune/common/error.hpp"
#include "greentune/energy/cpu_threads.hpp"
#include "greentune/energy/estimate.hpp"

namespace greentune::energy {
namespace {

using ::testing::HasSubstr;

CpuInfo vm(const std::string& model, int vcpus) {
  return CpuInfo{model, vcpus, true};
}

TEST(LoadModel, VmIsChargedByThePhysicalPartsThreadsNotByItsVcpus) {
  // A 2-vCPU VM on a 240 W, 48-thread Xeon: 5 W per busy vCPU, not 120 W.
  const auto model = cpu_power_model(vm("Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz", 2), {});
  EXPECT_DOUBLE_EQ(model.package_tdp, 240);
  EXPECT_EQ(model.threads_per_package, 48);
  EXPECT_DOUBLE_EQ(model.watts_per_cpu, 5.0);
  EXPECT_THAT(model.threads_source, HasSubstr("'Intel Xeon Platinum 8175M'"));
  EXPECT_THAT(model.threads_source, HasSubstr("table of known parts"));
  EXPECT_THAT(model.summary, HasSubstr("TDP 240 W"));
}

TEST(LoadModel, VmOnAPartWithUnknownThreadsFallsBackToTheDefaultAndSaysWhy) {
  const auto model = cpu_power_model(vm("Intel(R) Xeon(R) CPU E5-2630 v4 @ 2.20GHz", 2), {});
  EXPECT_DOUBLE_EQ(model.package_tdp, 85);  // the TDP is known ...
  EXPECT_EQ(model.threads_per_package, 0);  // ... the part's thread count is not
  EXPECT_DOUBLE_EQ(model.watts_per_cpu, kDefaultWattsPerLogicalCpu);
  EXPECT_THAT(model.threads_source, HasSubstr("VM"));
  EXPECT_THAT(model.threads_source, HasSubstr("siblings (2) counts vCPUs"));
  EXPECT_THAT(model.threads_source, HasSubstr("--cpu-threads"));
  EXPECT_THAT(model.summary, HasSubstr("default 5.4 W per logical CPU"));
  // A VM with --cpu-tdp alone is no different: the divisor is still unknown.
  EXPECT_DOUBLE_EQ(cpu_power_model(vm("AMD EPYC", 2), 300.0).watts_per_cpu,
                   kDefaultWattsPerLogicalCpu);
}

TEST(LoadModel, CpuThreadsOptionGivesTheDivisor) {
  const auto model = cpu_power_model(vm("AMD EPYC", 2), 300.0, 64);
  EXPECT_DOUBLE_EQ(model.watts_per_cpu, 300.0 / 64);
  EXPECT_THAT(model.threads_source, HasSubstr("64 threads per package from --cpu-threads"));
  EXPECT_THROW(cpu_power_model(vm("AMD EPYC", 2), 300.0, 0), InputError);
  EXPECT_THROW(cpu_power_model(vm("AMD EPYC", 2), 300.0, -4), InputError);
}

TEST(LoadModel, BareMetalUsesCpuinfoSiblings) {
  const auto model =
      cpu_power_model(CpuInfo{"Intel(R) Xeon(R) CPU E5-2630 v4 @ 2.20GHz", 20, false}, {});
  EXPECT_EQ(model.threads_per_package, 20);
  EXPECT_DOUBLE_EQ(model.watts_per_cpu, 85.0 / 20);
  EXPECT_THAT(model.threads_source, HasSubstr("bare metal"));
}

TEST(LoadModel, KnownPartsTableMatchesCpuinfoNames) {
  EXPECT_EQ(match_cpu_threads("AMD EPYC 7R13 Processor")->threads, 96);
  EXPECT_EQ(match_cpu_threads("AMD EPYC 7763 64-Core Processor")->threads, 128);
  EXPECT_EQ(match_cpu_threads("Intel(R) Xeon(R) CPU E3-1240 V2 @ 3.40GHz")->threads, 8);
  EXPECT_EQ(match_cpu_threads("Intel(R) Xeon(R) Platinum 8480+")->threads, 112);
  EXPECT_FALSE(match_cpu_threads("AMD EPYC"));
  for (const auto& part : known_cpu_thread_table()) {
    EXPECT_GT(part.threads, 0) << part.name;
    EXPECT_EQ(part.threads % 2, 0) << part.name << ": every listed part runs 2 threads per core";
    auto found = match_cpu_threads(part.name);
    ASSERT_TRUE(found) << part.name;
    EXPECT_EQ(found->name, part.name) << "two table entries match " << part.name;
  }
}

TEST(LoadModel, CpuinfoTellsAVmByItsHypervisorFlag) {
  testing::FakeRoot root;
  root.write("proc/cpuinfo",
             "processor\t: 0\nmodel name\t: AMD EPYC\nsiblings\t: 2\n"
             "flags\t\t: fpu vme de pse tsc msr hypervisor lahf_lm\n");
  const CpuInfo info = read_cpuinfo(root.path() / "proc");
  EXPECT_EQ(info.model, "AMD EPYC");
  EXPECT_EQ(info.cpus_per_package, 2);
  EXPECT_TRUE(info.virtual_machine);
  root.write("proc/cpuinfo", "processor\t: 0\nmodel name\t: X\nsiblings\t: 8\nflags\t: fpu vme\n");
  EXPECT_FALSE(read_cpuinfo(root.path() / "proc").virtual_machine);
}

}  // namespace
}  // namespace greentune::energy
