// End-to-end: `greentune meters` on this machine, on empty kernel trees, and on a fake powercap
// tree written by the test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;

class MetersCli : public CliTest {
 protected:
  MetersCli() : CliTest("meters") {}
  void SetUp() override {
    CliTest::SetUp();
    std::filesystem::create_directories(dir_ / "sys");
    std::filesystem::create_directories(dir_ / "dev");
  }

  void write(const std::filesystem::path& relative, const std::string& content) {
    std::filesystem::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative) << content;
  }

  std::string fake_roots() const {
    return "--sysfs-root " + (dir_ / "sys").string() + " --dev-root " + (dir_ / "dev").string();
  }
};

const nlohmann::json& source_named(const nlohmann::json& j, const std::string& name) {
  for (const auto& s : j["sources"]) {
    if (s["source"] == name) return s;
  }
  throw std::runtime_error("no source " + name + " in " + j.dump());
}

TEST_F(MetersCli, ThisMachineUsesExactlyOneCpuSourceAndExplainsTheOthers) {
  CliRun r = run_cli("meters --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["sources"].size(), 5u);
  int cpu_sources_used = 0;
  for (const char* name : {"perf", "powercap", "msr", "estimate"}) {
    const auto& s = source_named(j, name);
    if (s["used"].get<bool>()) ++cpu_sources_used;
    if (!s["usable"].get<bool>()) {
      EXPECT_FALSE(s["reason"].get<std::string>().empty()) << name;
    }
  }
  EXPECT_EQ(cpu_sources_used, 1);
}

TEST_F(MetersCli, WithoutCountersTheEstimateIsUsedAndSaysWhy) {
  CliRun r = run_cli("meters --json --cpu-tdp 64 " + fake_roots());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* name : {"perf", "powercap", "msr"}) {
    const auto& s = source_named(j, name);
    EXPECT_FALSE(s["usable"].get<bool>()) << name;
    EXPECT_FALSE(s["reason"].get<std::string>().empty()) << name;
  }
  const auto& estimate = source_named(j, "estimate");
  EXPECT_TRUE(estimate["used"].get<bool>());
  ASSERT_EQ(estimate["domains"].size(), 2u);
  const auto& cpu = estimate["domains"][0];
  EXPECT_EQ(cpu["kind"], "estimated");
  const std::string method = cpu["method"];
  EXPECT_THAT(method, HasSubstr("TDP 64 W from --cpu-tdp"));
  EXPECT_THAT(method, HasSubstr("no CPU energy counter is usable"));
  EXPECT_THAT(method, HasSubstr((dir_ / "sys").string()));  // the reasons name the fake tree
}

TEST_F(MetersCli, FakePowercapTreeIsListedWithItsDomains) {
  for (const auto& [zone, name] :
       {std::pair{"intel-rapl:0", "package-0"}, std::pair{"intel-rapl:0:0", "core"},
        std::pair{"intel-rapl:0:1", "dram"}}) {
    write(std::string("sys/class/powercap/") + zone + "/name", std::string(name) + "\n");
    write(std::string("sys/class/powercap/") + zone + "/energy_uj", "123456\n");
    write(std::string("sys/class/powercap/") + zone + "/max_energy_range_uj", "262143328850\n");
  }
  CliRun r = run_cli("meters --json " + fake_roots());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const auto& powercap = source_named(j, "powercap");
  ASSERT_TRUE(powercap["used"].get<bool>()) << powercap.dump();
  std::vector<std::string> names;
  for (const auto& d : powercap["domains"]) {
    names.push_back(d["name"]);
    EXPECT_EQ(d["kind"], "measured");
  }
  EXPECT_THAT(names, ::testing::Contains(HasSubstr("package")));
  EXPECT_THAT(names, ::testing::Contains(HasSubstr("dram")));
  EXPECT_FALSE(source_named(j, "estimate")["used"].get<bool>());

  CliRun text = run_cli("meters " + fake_roots());
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr("powercap  used"));
  EXPECT_THAT(text.out, HasSubstr("package"));
}

// Runs meters with GREENTUNE_PROC_ROOT pointing at a fake /proc holding `cpuinfo`.
class MetersEstimateCli : public MetersCli {
 protected:
  void SetUp() override {
    MetersCli::SetUp();
    std::filesystem::create_directories(dir_ / "proc");
    if (const char* old = std::getenv("GREENTUNE_PROC_ROOT")) old_proc_root_ = old;
    setenv("GREENTUNE_PROC_ROOT", (dir_ / "proc").c_str(), 1);
  }
  void TearDown() override {
    if (old_proc_root_) {
      setenv("GREENTUNE_PROC_ROOT", old_proc_root_->c_str(), 1);
    } else {
      unsetenv("GREENTUNE_PROC_ROOT");
    }
    MetersCli::TearDown();
  }

  std::optional<std::string> old_proc_root_;
};

TEST_F(MetersEstimateCli, VmOnAKnownPartUsesThePartsThreadsAndSaysSo) {
  // Two vCPUs of a 240 W, 48-thread Xeon: 5 W per busy vCPU, not 240 / 2 = 120 W.
  write("proc/cpuinfo",
        "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz\n"
        "siblings\t: 2\nflags\t\t: fpu tsc hypervisor\nprocessor\t: 1\n");
  CliRun r = run_cli("meters --json " + fake_roots());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& estimate = source_named(j, "estimate");
  ASSERT_TRUE(estimate.contains("cpu_power")) << estimate.dump();
  const auto& power = estimate["cpu_power"];
  EXPECT_EQ(power["threads_per_package"].get<int>(), 48);
  EXPECT_THAT(power["threads_source"].get<std::string>(),
              HasSubstr("'Intel Xeon Platinum 8175M' (greentune's table of known parts)"));
  EXPECT_DOUBLE_EQ(power["package_tdp_watts"].get<double>(), 240.0);
  EXPECT_DOUBLE_EQ(power["watts_per_logical_cpu"].get<double>(), 5.0);
  EXPECT_THAT(estimate["domains"][0]["method"].get<std::string>(),
              HasSubstr("5 W per logical CPU"));

  CliRun text = run_cli("meters " + fake_roots(), "text");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out,
              HasSubstr("threads    48 threads per package of 'Intel Xeon Platinum 8175M'"));
}

TEST_F(MetersEstimateCli, VmOnAnUnknownPartIsNotChargedTdpPerVcpu) {
  write("proc/cpuinfo",
        "processor\t: 0\nmodel name\t: AMD EPYC\nsiblings\t: 2\nflags\t: fpu hypervisor\n");
  CliRun r = run_cli("meters --json --cpu-tdp 300 " + fake_roots());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& power = source_named(j, "estimate")["cpu_power"];
  EXPECT_TRUE(power["threads_per_package"].is_null());
  EXPECT_THAT(power["threads_source"].get<std::string>(), HasSubstr("siblings (2) counts vCPUs"));
  EXPECT_DOUBLE_EQ(power["watts_per_logical_cpu"].get<double>(), 5.4);

  CliRun given = run_cli("meters --json --cpu-tdp 300 --cpu-threads 64 " + fake_roots(), "given");
  ASSERT_EQ(given.exit_code, 0) << given.err;
  const auto given_json = nlohmann::json::parse(given.out);
  const auto& given_power = source_named(given_json, "estimate")["cpu_power"];
  EXPECT_EQ(given_power["threads_per_package"].get<int>(), 64);
  EXPECT_DOUBLE_EQ(given_power["watts_per_logical_cpu"].get<double>(), 300.0 / 64);
  EXPECT_EQ(run_cli("meters --cpu-threads 0 " + fake_roots(), "zero").exit_code, 2);
}

}  // namespace
