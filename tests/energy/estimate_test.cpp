// The estimate on real processes: children that burn CPU (or sleep) for a set amount of CPU time,
// measured through <proc> exactly as `greentune measure` measures a command.
#include "greentune/energy/estimate.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <thread>

#include "fake_sysfs.hpp"
#include "greentune/common/error.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/energy/process_cpu.hpp"

namespace greentune::energy {
namespace {

using namespace std::chrono_literals;

double process_cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Burns `seconds` of this process's CPU time.
void burn_cpu(double seconds) {
  const double until = process_cpu_now() + seconds;
  volatile uint64_t sink = 0;
  while (process_cpu_now() < until) {
    for (int i = 0; i < 10000; ++i) sink = sink + static_cast<uint64_t>(i);
  }
}

// A child that waits for `go`, then burns CPU in itself and in a grandchild it reaps. Halfway
// through its own share (by its own CPU clock, however busy the machine is) it writes a byte to
// `halfway_fd` and waits for a byte on `resume_fd` before burning the rest, so the test can look
// at the tree at a point defined by CPU time used, not by the wall clock.
pid_t spawn_burner(int go_fd, double seconds_each, bool with_grandchild, int halfway_fd = -1,
                   int resume_fd = -1) {
  pid_t pid = fork();
  if (pid == 0) {
    char byte = 0;
    if (read(go_fd, &byte, 1) < 0) _exit(1);
    pid_t grandchild = -1;
    if (with_grandchild) {
      grandchild = fork();
      if (grandchild == 0) {
        burn_cpu(seconds_each);
        _exit(0);
      }
    }
    if (halfway_fd >= 0) {
      burn_cpu(seconds_each / 2);
      if (write(halfway_fd, "h", 1) != 1 || read(resume_fd, &byte, 1) != 1) _exit(1);
      burn_cpu(seconds_each / 2);
    } else {
      burn_cpu(seconds_each);
    }
    if (grandchild > 0) waitpid(grandchild, nullptr, 0);
    _exit(0);
  }
  return pid;
}

pid_t spawn_sleeper(int go_fd, std::chrono::milliseconds how_long) {
  pid_t pid = fork();
  if (pid == 0) {
    char byte = 0;
    if (read(go_fd, &byte, 1) < 0) _exit(1);
    std::this_thread::sleep_for(how_long);
    _exit(0);
  }
  return pid;
}

double reap(pid_t pid) {
  int status = 0;
  rusage usage{};
  EXPECT_EQ(wait4(pid, &status, 0, &usage), pid);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

std::vector<std::unique_ptr<Source>> only(std::unique_ptr<Source> source) {
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::move(source));
  return sources;
}

// 2 W per logical CPU on whatever machine runs the test.
EstimateOptions two_watts_per_cpu(EstimateScope scope) {
  EstimateOptions options;
  options.scope = scope;
  options.cpu_tdp_watts = 16.0;
  options.cpu_threads = 8;
  return options;
}

struct TreeRun {
  double joules_midway = 0;
  Measurement measurement;
  double child_cpu_seconds = 0;  // from wait4
};

TreeRun measure_tree(bool busy) {
  int go[2], halfway[2], resume[2];
  EXPECT_EQ(pipe(go), 0);
  EXPECT_EQ(pipe(halfway), 0);
  EXPECT_EQ(pipe(resume), 0);
  pid_t child =
      busy ? spawn_burner(go[0], 0.3, true, halfway[1], resume[0]) : spawn_sleeper(go[0], 400ms);
  auto options = two_watts_per_cpu(EstimateScope::process_tree);
  options.tree = std::make_shared<ProcessTree>("/proc", child);
  ProbeResult probe;
  MonitorOptions monitor_options;
  monitor_options.interval = 20ms;
  Monitor monitor(only(open_estimate(SystemPaths{}, options, "test", probe)), monitor_options);
  monitor.begin("command");
  close(go[0]);
  EXPECT_EQ(write(go[1], "gg", 2), 2);  // one byte for the child; the grandchild inherits none
  close(go[1]);
  TreeRun run;
  if (busy) {
    // The child has burned 0.15 s of CPU and now waits: the tree's joules must show it.
    char byte = 0;
    EXPECT_EQ(read(halfway[0], &byte, 1), 1);
    run.joules_midway = monitor.peek("command").domains.at(0).joules;
    EXPECT_EQ(write(resume[1], "r", 1), 1);
  }
  for (int fd : {halfway[0], halfway[1], resume[0], resume[1]}) close(fd);
  run.child_cpu_seconds = reap(child);
  options.tree->finish(run.child_cpu_seconds);
  run.measurement = monitor.end("command");
  return run;
}

TEST(Estimate, BusyProcessTreeGetsJoulesForAllItsCpuTime) {
  TreeRun run = measure_tree(true);
  const DomainEnergy& cpu = run.measurement.domains.at(0);
  EXPECT_EQ(cpu.info.name, "cpu");
  EXPECT_EQ(cpu.info.kind, Kind::estimated);
  EXPECT_TRUE(run.measurement.any_estimated);
  // Child and grandchild burn 0.3 s each; the estimate counts both at 2 W per CPU-second.
  EXPECT_GE(run.child_cpu_seconds, 0.59);
  // /proc's tick-rounded times may differ from wait4's by a few ticks per process.
  EXPECT_NEAR(cpu.joules, 2.0 * run.child_cpu_seconds, 0.1);
  // Midway, the child alone had used 0.15 s (0.3 J at 2 W; /proc counts in 10 ms ticks), and the
  // rest of its share and the grandchild's were still to come.
  EXPECT_GE(run.joules_midway, 2.0 * 0.15 - 0.05) << "joules must grow while the tree runs";
  EXPECT_LT(run.joules_midway, cpu.joules - 2.0 * 0.15 + 0.05);
}

TEST(Estimate, SleepingChildGetsFarLessThanABusyOne) {
  TreeRun sleeping = measure_tree(false);
  TreeRun busy = measure_tree(true);
  EXPECT_LT(sleeping.measurement.domains.at(0).joules, 0.05);
  EXPECT_GT(busy.measurement.domains.at(0).joules,
            20 * std::max(0.01, sleeping.measurement.domains.at(0).joules));
}

TEST(Estimate, SelfScopeCountsThisProcessCpuTime) {
  ProbeResult probe;
  auto source = open_estimate(SystemPaths{}, two_watts_per_cpu(EstimateScope::self), "", probe);
  auto before = source->read();
  const double cpu_before = process_cpu_now();
  burn_cpu(0.2);
  const double cpu_used = process_cpu_now() - cpu_before;
  auto after = source->read();
  const double joules =
      static_cast<double>(after[0].value - before[0].value) * after[0].joules_per_unit;
  EXPECT_NEAR(joules, 2.0 * cpu_used, 0.02);
  EXPECT_EQ(after[0].wraps_at, 0u);
  EXPECT_GT(after[1].value, before[1].value) << "DRAM grows with resident memory x time";
}

TEST(Estimate, MachineScopeReadsProcStat) {
  testing::FakeRoot root;
  root.write("proc/cpuinfo", "processor\t: 0\nmodel name\t: AMD EPYC\nsiblings\t: 4\n");
  root.write("proc/stat", "cpu  100 0 50 1000 0 0 0 0 0 0\n");
  root.write("proc/meminfo", "MemTotal: 8000000 kB\nMemAvailable: 4000000 kB\n");
  EstimateOptions options;
  options.scope = EstimateScope::machine;
  ProbeResult probe;
  auto source = open_estimate(root.paths(), options, "", probe);
  auto before = source->read();
  root.write("proc/stat", "cpu  300 0 150 1000 0 0 0 0 0 0\n");  // +300 ticks = 3 CPU-seconds
  auto after = source->read();
  const double joules =
      static_cast<double>(after[0].value - before[0].value) * after[0].joules_per_unit;
  EXPECT_NEAR(joules, 3.0 * 5.4, 1e-3);  // "AMD EPYC" is not in the table: the default
}

TEST(Estimate, MethodNamesTheTableEntryTheModelAndWhy) {
  testing::FakeRoot root;
  root.write("proc/cpuinfo",
             "processor\t: 0\nmodel name\t: AMD EPYC 8024P 8-Core Processor\nsiblings\t: 16\n");
  ProbeResult probe;
  open_estimate(root.paths(), {}, "perf: no power PMU", probe);
  ASSERT_TRUE(probe.usable);
  ASSERT_EQ(probe.domains.size(), 2u);
  const std::string& method = probe.domains[0].method;
  EXPECT_NE(method.find("table entry 'AMD EPYC 8024P'"), std::string::npos) << method;
  EXPECT_NE(method.find("90 W"), std::string::npos) << method;
  EXPECT_NE(method.find("16 threads per package of 'AMD EPYC 8024P'"), std::string::npos) << method;
  EXPECT_NE(method.find("TDP x load"), std::string::npos) << method;
  EXPECT_NE(method.find("perf: no power PMU"), std::string::npos) << method;
  EXPECT_EQ(probe.domains[1].name, "dram");
  EXPECT_EQ(probe.domains[1].kind, Kind::estimated);
}

TEST(Estimate, UnknownCpuSaysWhichDefaultIsUsed) {
  testing::FakeRoot root;
  root.write("proc/cpuinfo", "processor\t: 0\nmodel name\t: AMD EPYC\nsiblings\t: 2\n");
  ProbeResult probe;
  open_estimate(root.paths(), {}, "", probe);
  const std::string& method = probe.domains.at(0).method;
  EXPECT_NE(method.find("no CPU TDP table entry matches 'AMD EPYC'"), std::string::npos) << method;
  EXPECT_NE(method.find("default 5.4 W per logical CPU"), std::string::npos) << method;
}

TEST(Estimate, RejectsBadTdp) {
  ProbeResult probe;
  EstimateOptions options;
  options.cpu_tdp_watts = -3;
  EXPECT_THROW(open_estimate(SystemPaths{}, options, "", probe), InputError);
  options = {};
  options.scope = EstimateScope::process_tree;  // without a tree
  EXPECT_THROW(open_estimate(SystemPaths{}, options, "", probe), InputError);
}

TEST(ProcStat, ParsesACommandNameWithSpacesAndParentheses) {
  testing::FakeRoot root;
  // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss
  root.write("proc/42/stat",
             "42 (my (odd) name) S 7 42 42 0 -1 0 0 0 0 0 250 50 30 20 20 0 1 0 999 1000 10\n");
  auto stat = read_proc_stat(root.path() / "proc", 42);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->ppid, 7);
  EXPECT_NEAR(stat->cpu_seconds, 300.0 / static_cast<double>(sysconf(_SC_CLK_TCK)), 1e-9);
  EXPECT_NEAR(stat->reaped_child_seconds, 50.0 / static_cast<double>(sysconf(_SC_CLK_TCK)), 1e-9);
  EXPECT_EQ(stat->start_ticks, 999u);
  EXPECT_EQ(stat->rss_bytes, 10u * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
  root.write("proc/43/stat", "43 (truncated) S 7 42\n");
  EXPECT_FALSE(read_proc_stat(root.path() / "proc", 43));
}

// A root that already runs may have children: the first sample scans <proc> for them. A root
// that was just forked has none, so its first sample reads the root alone (the scan is the costly
// part of a short `measure`).
TEST(ProcessTreeScan, OnlyARootThatMayHaveChildrenIsScannedForThemAtOnce) {
  testing::FakeRoot root;
  root.write("proc/100/stat", "100 (root) S 1 100 100 0 -1 0 0 0 0 0 100 0 0 0 20 0 1 0 500 0 1\n");
  root.write("proc/101/stat", "101 (kid) S 100 100 100 0 -1 0 0 0 0 0 50 0 0 0 20 0 1 0 600 0 1\n");
  const double tick = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));

  ProcessTree running(root.path() / "proc");
  running.set_root(100);
  const auto scanned = running.sample();
  EXPECT_EQ(scanned.processes, 2);
  EXPECT_NEAR(scanned.cpu_seconds, 150 * tick, 1e-9);

  ProcessTree forked(root.path() / "proc");
  forked.set_forked_root(100);
  const auto root_alone = forked.sample();
  EXPECT_EQ(root_alone.processes, 1);
  EXPECT_NEAR(root_alone.cpu_seconds, 100 * tick, 1e-9);
}

}  // namespace
}  // namespace greentune::energy
