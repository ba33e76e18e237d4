// End-to-end: `greentune measure -- CMD` as a user runs it: exit codes, signals, the JSON and CSV
// files, and the errors for bad arguments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;

// run_cli's `arguments` is shell text, so tests quote the measured command as a user would.
class MeasureCli : public CliTest {
 protected:
  MeasureCli() : CliTest("measure") {}
};

// About 0.1-0.3 s of shell arithmetic: enough CPU time for the estimate to see.
const char* kBusyShell = "sh -c 'i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done'";

TEST_F(MeasureCli, ForwardsTheCommandsExitCode) {
  EXPECT_EQ(run_cli("measure -- sh -c 'exit 3'").exit_code, 3);
  EXPECT_EQ(run_cli("measure -- true").exit_code, 0);
}

TEST_F(MeasureCli, CommandKilledBySignalGives128PlusSignal) {
  EXPECT_EQ(run_cli("measure -- sh -c 'kill -TERM $$'").exit_code, 128 + SIGTERM);
}

TEST_F(MeasureCli, JsonHasTheSchemaAndDomainsSumToTheTotal) {
  auto json_path = dir_ / "result.json";
  auto csv_path = dir_ / "result.csv";
  CliRun r = run_cli("measure --carbon-intensity 100 --pue 1.2 --json=" + json_path.string() +
                     " --csv=" + csv_path.string() + " -- " + kBusyShell);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("total"));
  EXPECT_THAT(r.err, HasSubstr("CO2e"));
  auto j = nlohmann::json::parse(slurp(json_path));
  for (const char* field : {"seconds", "total_joules", "domains", "samples", "missed_samples",
                            "carbon_g", "kwh", "pue", "grams_per_kwh", "exit_code", "command"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  EXPECT_GT(j["seconds"].get<double>(), 0.0);
  EXPECT_GT(j["total_joules"].get<double>(), 0.0) << "a busy command uses energy";
  ASSERT_FALSE(j["domains"].empty());
  double sum = 0;
  for (const auto& d : j["domains"]) {
    for (const char* field : {"name", "source", "kind", "method", "joules", "watts"}) {
      EXPECT_TRUE(d.contains(field)) << field;
    }
    EXPECT_THAT(d["kind"].get<std::string>(), ::testing::AnyOf("measured", "estimated"));
    EXPECT_NEAR(d["watts"].get<double>() * j["seconds"].get<double>(), d["joules"].get<double>(),
                1e-6 + 1e-9 * d["joules"].get<double>());
    if (!d.value("part_of_parent", false)) sum += d["joules"].get<double>();
  }
  EXPECT_NEAR(sum, j["total_joules"].get<double>(), 1e-9 * sum + 1e-12);
  EXPECT_DOUBLE_EQ(j["pue"].get<double>(), 1.2);
  EXPECT_DOUBLE_EQ(j["grams_per_kwh"].get<double>(), 100.0);
  EXPECT_NEAR(j["kwh"].get<double>(), j["total_joules"].get<double>() / 3.6e6, 1e-15);
  EXPECT_NEAR(j["carbon_g"].get<double>(), j["kwh"].get<double>() * 1.2 * 100.0, 1e-12);
  EXPECT_FALSE(j.contains("net_joules")) << "net figures only with --idle";

  std::string csv = slurp(csv_path);
  EXPECT_THAT(csv, ::testing::StartsWith("domain,source,kind,"));
  EXPECT_THAT(csv, HasSubstr("\ntotal,"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'),
            static_cast<long>(j["domains"].size()) + 2);  // header, domains, total
}

TEST_F(MeasureCli, IdleBaselineAddsIdleAndNetFigures) {
  auto json_path = dir_ / "idle.json";
  CliRun r = run_cli("measure --idle 0.2 --interval 50 --json=" + json_path.string() + " -- " +
                     kBusyShell);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("net J"));
  auto j = nlohmann::json::parse(slurp(json_path));
  ASSERT_TRUE(j.contains("net_joules"));
  EXPECT_DOUBLE_EQ(j["idle_seconds"].get<double>(), 0.2);
  // Net is gross minus idle per domain, never below zero; the total net is their sum.
  double net_sum = 0;
  for (const auto& d : j["domains"]) {
    const double expected =
        std::max(0.0, d["joules"].get<double>() - d["idle_joules"].get<double>());
    EXPECT_NEAR(d["net_joules"].get<double>(), expected, 1e-9) << d.dump();
    if (!d.value("part_of_parent", false)) net_sum += d["net_joules"].get<double>();
  }
  EXPECT_NEAR(j["net_joules"].get<double>(), net_sum, 1e-9);
  EXPECT_LE(j["net_joules"].get<double>(), j["total_joules"].get<double>());
  EXPECT_LE(j["net_carbon_g"].get<double>(), j["carbon_g"].get<double>());
  EXPECT_LE(j["interval_ms"].get<int>(), 50);
}

double cpu_joules(const nlohmann::json& j) {
  for (const auto& d : j["domains"]) {
    if (d["name"] == "cpu" || d["name"].get<std::string>().rfind("package", 0) == 0) {
      return d["joules"].get<double>();
    }
  }
  return 0;
}

TEST_F(MeasureCli, OrphanedDescendantsAreStillCounted) {
  // The busy script's parent (a subshell) exits at once, so the script is orphaned while the
  // command waits for it; it must still count, like the same script run directly. The loop is
  // long enough (~25 clock ticks of CPU time) that tick sampling cannot halve one figure, and
  // the command outlives the script by more than one full /proc scan, however slow the machine.
  const auto script = dir_ / "busy.sh";
  std::ofstream(script) << "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; : > \"$1\"\n";
  auto direct_path = dir_ / "direct.json";
  auto orphan_path = dir_ / "orphan.json";
  CliRun direct = run_cli("measure --cpu-tdp 100 --json=" + direct_path.string() + " -- sh " +
                          script.string() + " " + (dir_ / "direct.done").string());
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  const auto done = (dir_ / "orphan.done").string();
  CliRun orphan = run_cli("measure --cpu-tdp 100 --json=" + orphan_path.string() +
                          " -- sh -c '(sh " + script.string() + " " + done + " &); while [ ! -e " +
                          done + " ]; do sleep 0.1; done; sleep 0.7'");
  ASSERT_EQ(orphan.exit_code, 0) << orphan.err;
  const auto orphan_json = nlohmann::json::parse(slurp(orphan_path));
  if (!orphan_json["any_estimated"].get<bool>()) {
    GTEST_SKIP() << "measured counters see the whole machine anyway";
  }
  const double direct_joules = cpu_joules(nlohmann::json::parse(slurp(direct_path)));
  const double orphan_joules = cpu_joules(orphan_json);
  EXPECT_GT(orphan_joules, 0.5 * direct_joules)
      << "direct " << direct_joules << " J, orphaned " << orphan_joules << " J";
}

TEST_F(MeasureCli, MachineScopeEstimatesTheWholeMachine) {
  auto json_path = dir_ / "machine.json";
  CliRun r = run_cli("measure --scope machine --json=" + json_path.string() + " -- sleep 0.3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(j["estimate_scope"], "machine");
  for (const auto& d : j["domains"]) {
    if (d["kind"] != "estimated") continue;
    EXPECT_THAT(d["method"].get<std::string>(), HasSubstr("the whole machine"));
    // The machine's used memory draws power even while the command sleeps.
    if (d["name"] == "dram") {
      EXPECT_GT(d["joules"].get<double>(), 0.0);
    }
  }
  EXPECT_EQ(run_cli("measure --scope galaxy -- true").exit_code, 2);
}

TEST_F(MeasureCli, MeasuredCountersFromAFakePowercapTreeIncludingAWrap) {
  // The command itself advances the fake RAPL counters, so the joules are known exactly:
  // package-0 wraps (range 10 J) from 9 J to 2 J = 3 J; its core subzone 1 J; dram 0.5 J.
  const auto zones = dir_ / "sys/class/powercap";
  auto zone = [&](const std::string& id, const std::string& name, const std::string& energy) {
    std::filesystem::create_directories(zones / id);
    std::ofstream(zones / id / "name") << name << "\n";
    std::ofstream(zones / id / "energy_uj") << energy << "\n";
    std::ofstream(zones / id / "max_energy_range_uj") << "9999999\n";
  };
  zone("intel-rapl:0", "package-0", "9000000");
  zone("intel-rapl:0:0", "core", "100");
  zone("intel-rapl:0:1", "dram", "0");
  std::filesystem::create_directories(dir_ / "dev");
  const std::string z = zones.string();
  auto json_path = dir_ / "rapl.json";
  CliRun r =
      run_cli("measure --sysfs-root " + (dir_ / "sys").string() + " --dev-root " +
              (dir_ / "dev").string() + " --json=" + json_path.string() +
              " -- sh -c 'echo 2000000 > " + z + "/intel-rapl:0/energy_uj; echo 1000100 > " + z +
              "/intel-rapl:0:0/energy_uj; echo 500000 > " + z + "/intel-rapl:0:1/energy_uj'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(slurp(json_path));
  EXPECT_FALSE(j["any_estimated"].get<bool>());
  std::map<std::string, double> joules;
  for (const auto& d : j["domains"]) {
    EXPECT_EQ(d["kind"], "measured");
    EXPECT_EQ(d["source"], "powercap");
    joules[d["name"].get<std::string>()] = d["joules"].get<double>();
  }
  ASSERT_EQ(joules.size(), 3u) << j.dump();
  double package = 0, core = 0, dram = 0;
  for (const auto& [name, value] : joules) {
    if (name.find("package") != std::string::npos) package = value;
    if (name.find("core") != std::string::npos) core = value;
    if (name.find("dram") != std::string::npos) dram = value;
  }
  EXPECT_NEAR(package, 3.0, 1e-9);
  EXPECT_NEAR(core, 1.0, 1e-9);
  EXPECT_NEAR(dram, 0.5, 1e-9);
  EXPECT_NEAR(j["total_joules"].get<double>(), 3.5, 1e-9) << "core is inside the package";
}

TEST_F(MeasureCli, CommandNotFoundExits127AndWritesNothing) {
  auto json_path = dir_ / "never.json";
  CliRun r = run_cli("measure --json=" + json_path.string() + " -- greentune-no-such-command-x");
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_THAT(r.err, HasSubstr("command not found: greentune-no-such-command-x"));
  EXPECT_FALSE(std::filesystem::exists(json_path));
}

TEST_F(MeasureCli, BadArgumentsAreUsageErrors) {
  auto json_path = dir_ / "never.json";
  CliRun none = run_cli("measure --json=" + json_path.string());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("no command to measure"));

  CliRun zero = run_cli("measure --interval 0 -- true");
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_THAT(zero.err, HasSubstr("--interval 0"));

  EXPECT_EQ(run_cli("measure --interval abc -- true").exit_code, 2);

  CliRun pue = run_cli("measure --pue 0.5 -- true");
  EXPECT_EQ(pue.exit_code, 2);
  EXPECT_THAT(pue.err, HasSubstr("--pue 0.5"));

  CliRun tdp = run_cli("measure --cpu-tdp -4 -- true");
  EXPECT_EQ(tdp.exit_code, 2);
  EXPECT_THAT(tdp.err, HasSubstr("--cpu-tdp"));

  EXPECT_EQ(run_cli("measure --idle -1 -- true").exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(json_path));
}

// Whether `parent` has a child process whose command name is `name` (from /proc/<pid>/stat).
bool child_named(pid_t parent, const std::string& name) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::ifstream in(entry.path() / "stat");
    std::string pid, comm, state;
    pid_t ppid = 0;
    if (in >> pid >> comm >> state >> ppid && ppid == parent && comm == "(" + name + ")") {
      return true;
    }
  }
  return false;
}

TEST_F(MeasureCli, ForwardsSigtermToTheCommandAndReportsIt) {
  const auto json_path = dir_ / "term.json";
  const std::string json_arg = "--json=" + json_path.string();
  const auto err_path = (dir_ / "err").string();
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(err_path.c_str(), "w", stderr)) _exit(99);
    execl(GREENTUNE_CLI, GREENTUNE_CLI, "measure", json_arg.c_str(), "--", "sleep", "30",
          static_cast<char*>(nullptr));
    _exit(98);
  }
  // Signal only once `sleep` runs: greentune forwards signals from before it lets the command
  // exec, so from then on a SIGTERM must reach the command.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!child_named(pid, "sleep") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(child_named(pid, "sleep")) << slurp(err_path);
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  ASSERT_TRUE(WIFEXITED(status)) << "greentune itself must not die of the signal";
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << slurp(err_path);
  EXPECT_LT(waited, 10.0) << "sleep 30 should have been stopped by the forwarded SIGTERM";
  auto j = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(j["exit_code"].get<int>(), 128 + SIGTERM);
}

// A fake RAPL tree with one package zone at `energy` uJ, for commands that advance it themselves.
std::filesystem::path fake_package_zone(const std::filesystem::path& dir, uint64_t energy) {
  const auto zone = dir / "sys/class/powercap/intel-rapl:0";
  std::filesystem::create_directories(zone);
  std::ofstream(zone / "name") << "package-0\n";
  std::ofstream(zone / "energy_uj") << energy << "\n";
  std::ofstream(zone / "max_energy_range_uj") << "262143328850\n";
  std::filesystem::create_directories(dir / "dev");
  return zone;
}

std::string fake_roots(const std::filesystem::path& dir) {
  return "--sysfs-root " + (dir / "sys").string() + " --dev-root " + (dir / "dev").string();
}

TEST_F(MeasureCli, RunsAndWarmupGiveTheSpreadOfEveryMeasuredRun) {
  // Run k of the command (warm-up included) adds k J to the package counter: the warm-up adds
  // 1 J unmeasured, the three measured runs 2, 3 and 4 J.
  const auto zone = fake_package_zone(dir_, 0);
  std::ofstream(dir_ / "count") << "0\n";
  const auto script = dir_ / "advance.sh";
  std::ofstream(script) << "n=$(cat " << (dir_ / "count").string() << "); n=$((n+1)); echo $n > "
                        << (dir_ / "count").string() << "; e=$(cat "
                        << (zone / "energy_uj").string() << "); echo $((e + n * 1000000)) > "
                        << (zone / "energy_uj").string() << "\n";
  const auto json_path = dir_ / "runs.json";
  const auto csv_path = dir_ / "runs.csv";
  CliRun r =
      run_cli("measure -r 3 --warmup 1 " + fake_roots(dir_) + " --json=" + json_path.string() +
              " --csv=" + csv_path.string() + " -- sh " + script.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(dir_ / "count"), "4\n") << "one warm-up and three measured runs";
  auto j = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(j["warmup_runs"].get<int>(), 1);
  EXPECT_EQ(j["requested_runs"].get<int>(), 3);
  ASSERT_EQ(j["runs"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(j["runs"][i]["run"].get<int>(), i + 1);
    EXPECT_EQ(j["runs"][i]["exit_code"].get<int>(), 0);
    EXPECT_NEAR(j["runs"][i]["total_joules"].get<double>(), i + 2.0, 1e-9);
    EXPECT_NEAR(j["runs"][i]["domains"][0]["joules"].get<double>(), i + 2.0, 1e-9);
  }
  // By hand: 2, 3, 4 J -> min 2, median 3, max 4, mean 3, stddev 1, relative 1/3.
  const auto& joules = j["statistics"]["total_joules"];
  EXPECT_EQ(j["statistics"]["runs"].get<int>(), 3);
  EXPECT_NEAR(joules["min"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(joules["median"].get<double>(), 3.0, 1e-9);
  EXPECT_NEAR(joules["max"].get<double>(), 4.0, 1e-9);
  EXPECT_NEAR(joules["mean"].get<double>(), 3.0, 1e-9);
  EXPECT_NEAR(joules["stddev"].get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(joules["relative_stddev"].get<double>(), 1.0 / 3.0, 1e-9);
  const auto& package = j["statistics"]["domains"]["package-0"];
  EXPECT_NEAR(package["stddev"].get<double>(), 1.0, 1e-9);
  // The top-level figures are the mean run's.
  EXPECT_NEAR(j["total_joules"].get<double>(), 3.0, 1e-9);
  std::vector<double> seconds;
  for (const auto& run : j["runs"]) seconds.push_back(run["seconds"].get<double>());
  std::sort(seconds.begin(), seconds.end());
  EXPECT_DOUBLE_EQ(j["statistics"]["seconds"]["min"].get<double>(), seconds[0]);
  EXPECT_DOUBLE_EQ(j["statistics"]["seconds"]["median"].get<double>(), seconds[1]);
  EXPECT_DOUBLE_EQ(j["statistics"]["seconds"]["max"].get<double>(), seconds[2]);
  EXPECT_NEAR(j["seconds"].get<double>(), (seconds[0] + seconds[1] + seconds[2]) / 3, 1e-9);
  EXPECT_FALSE(j["interrupted"].get<bool>());
  // The text summary shows the spread; the CSV has a block per run.
  EXPECT_THAT(r.err, HasSubstr("over 3 runs after 1 warm-up run"));
  EXPECT_THAT(r.err, HasSubstr("3 ± 1 (33.3%)"));
  const std::string csv = slurp(csv_path);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 * 2);  // header, (package, total) x 3
  EXPECT_THAT(csv, HasSubstr("\ntotal,,,0,"));
  EXPECT_THAT(csv, ::testing::EndsWith(",3\n"));
}

TEST_F(MeasureCli, AFailingRunEndsTheSeries) {
  const auto json_path = dir_ / "fail.json";
  CliRun r = run_cli("measure --runs 4 --json=" + json_path.string() + " -- sh -c 'exit 3'");
  EXPECT_EQ(r.exit_code, 3);
  auto j = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["exit_code"].get<int>(), 3);
  EXPECT_TRUE(j["statistics"]["total_joules"]["stddev"].is_null()) << "no spread from one run";
}

TEST_F(MeasureCli, BadRunCountsAreUsageErrors) {
  for (const char* args : {"--runs 0", "-r -2", "--warmup -1", "--runs many"}) {
    CliRun r = run_cli(std::string("measure ") + args + " -- touch ran");
    EXPECT_EQ(r.exit_code, 2) << args;
  }
  EXPECT_THAT(run_cli("measure --runs 0 -- touch ran").err, HasSubstr("--runs 0"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "ran"));
}

TEST_F(MeasureCli, SamplesCsvIsThePowerTimeSeries) {
  const auto zone = fake_package_zone(dir_, 1'000'000);
  const auto samples_path = dir_ / "samples.csv";
  const auto json_path = dir_ / "samples.json";
  CliRun r =
      run_cli("measure --interval 20 " + fake_roots(dir_) + " --samples " + samples_path.string() +
              " --json=" + json_path.string() + " -- sh -c 'sleep 0.1; echo 6000000 > " +
              (zone / "energy_uj").string() + "; sleep 0.1'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream csv(slurp(samples_path));
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  EXPECT_EQ(line, "time,domain,watts,joules");
  double last_time = -1, last_joules = 0;
  int rows = 0;
  while (std::getline(csv, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 4u) << line;
    EXPECT_EQ(cells[1], "package-0");
    const double time = std::stod(cells[0]), watts = std::stod(cells[2]);
    const double joules = std::stod(cells[3]);
    EXPECT_GT(time, last_time) << "time runs forward: " << line;
    EXPECT_GE(joules, last_joules) << line;
    EXPECT_GE(watts, 0.0) << line;
    last_time = time;
    last_joules = joules;
    ++rows;
  }
  EXPECT_GE(rows, 1);
  // The series ends with all the energy the command used: 5 J.
  EXPECT_NEAR(last_joules, 5.0, 1e-6);
  EXPECT_NEAR(nlohmann::json::parse(slurp(json_path))["total_joules"].get<double>(), 5.0, 1e-9);
}

TEST_F(MeasureCli, MissingOutputFolderIsRefusedBeforeTheCommandRuns) {
  const auto json_path = dir_ / "no" / "such" / "result.json";
  CliRun r = run_cli("measure --json=" + json_path.string() + " -- touch ran");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(json_path.string()));
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "ran")) << "the command must not run";
  EXPECT_FALSE(std::filesystem::exists(dir_ / "no"));
}

TEST_F(MeasureCli, ResultThroughASymlinkKeepsTheSymlink) {
  std::filesystem::create_directory(dir_ / "results");
  std::filesystem::create_symlink("results/real.json", dir_ / "latest.json");
  CliRun r = run_cli("measure --json=latest.json -- true");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(dir_ / "latest.json"));
  EXPECT_NO_THROW(nlohmann::json::parse(slurp(dir_ / "results" / "real.json")));
}

TEST_F(MeasureCli, CsvCellsThatLookLikeFormulasAreDefused) {
  // A zone whose kernel name a spreadsheet would run as a formula.
  const auto zone = dir_ / "sys/class/powercap/intel-rapl:0";
  std::filesystem::create_directories(zone);
  std::ofstream(zone / "name") << "=HYPERLINK(\"http://x\")\n";
  std::ofstream(zone / "energy_uj") << "0\n";
  std::ofstream(zone / "max_energy_range_uj") << "262143328850\n";
  std::filesystem::create_directories(dir_ / "dev");
  const auto csv_path = dir_ / "formula.csv";
  const auto samples_path = dir_ / "formula-samples.csv";
  CliRun r = run_cli("measure " + fake_roots(dir_) + " --csv=" + csv_path.string() + " --samples " +
                     samples_path.string() + " -- true");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& path : {csv_path, samples_path}) {
    const std::string csv = slurp(path);
    EXPECT_THAT(csv, HasSubstr("\"'=HYPERLINK(\"\"http://x\"\")-0\"")) << csv;
    std::istringstream lines(csv);
    for (std::string line; std::getline(lines, line);) {
      EXPECT_EQ(line.find(",="), std::string::npos) << "a cell starts with '=': " << line;
      EXPECT_NE(line.front(), '=') << line;
    }
  }
}

// Files a crash or a kill left behind: "<name>.tmp-XXXXXX".
std::vector<std::string> temporary_files(const std::filesystem::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

TEST_F(MeasureCli, TimeoutStyleSigtermWritesAnInterruptedResultAndNoTemporaryFile) {
  // `timeout` sends SIGTERM to greentune and then to its whole process group, the command
  // included: greentune must survive both, and write what it measured, labelled as interrupted.
  const auto json_path = dir_ / "term.json";
  const auto csv_path = dir_ / "term.csv";
  const auto samples_path = dir_ / "term-samples.csv";
  const std::string json_arg = "--json=" + json_path.string(),
                    csv_arg = "--csv=" + csv_path.string(), samples_arg = samples_path.string();
  const auto err_path = (dir_ / "err").string();
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (!freopen(err_path.c_str(), "w", stderr)) _exit(99);
    execl(GREENTUNE_CLI, GREENTUNE_CLI, "measure", "--runs", "5", json_arg.c_str(), csv_arg.c_str(),
          "--samples", samples_arg.c_str(), "--", "sleep", "30", static_cast<char*>(nullptr));
    _exit(98);
  }
  setpgid(pid, pid);  // either side may win the race; both set the same group
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!child_named(pid, "sleep") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(child_named(pid, "sleep")) << slurp(err_path);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  ASSERT_EQ(kill(-pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "greentune itself must not die of the signal";
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << slurp(err_path);
  auto j = nlohmann::json::parse(slurp(json_path));
  EXPECT_TRUE(j["interrupted"].get<bool>());
  EXPECT_EQ(j["signal"], "SIGTERM");
  EXPECT_EQ(j["runs"].size(), 1u) << "the series stops at the signal";
  EXPECT_EQ(j["exit_code"].get<int>(), 128 + SIGTERM);
  EXPECT_THAT(slurp(err_path), HasSubstr("greentune received SIGTERM"));
  EXPECT_THAT(slurp(csv_path), ::testing::StartsWith("domain,"));
  EXPECT_THAT(slurp(samples_path), ::testing::StartsWith("time,domain,watts,joules\n"));
  EXPECT_EQ(temporary_files(dir_), std::vector<std::string>{});
}

}  // namespace
