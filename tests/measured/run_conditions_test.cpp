// The machine's state while a trial ran, read from a fake /proc whose counters the test moves
// between the start and the end of the trial.
#include "greentune/measured/run_conditions.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace greentune::measured {
namespace {

namespace fs = std::filesystem;

class FakeProc {
 public:
  FakeProc() {
    root_ = fs::temp_directory_path() /
            fmt::format("greentune-conditions-{}-{}", ::getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / std::to_string(::getpid()));
  }
  ~FakeProc() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const fs::path& root() const { return root_; }

  void load_average(double one_minute) {
    std::ofstream(root_ / "loadavg") << fmt::format("{:.2f} 1.00 0.50 3/200 4242\n", one_minute);
  }
  // Machine-wide ticks (100 per second): user nice system idle iowait irq softirq steal.
  void machine_ticks(long user, long system, long idle) {
    std::ofstream(root_ / "stat") << fmt::format(
        "cpu  {} 0 {} {} 0 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\n", user, system, idle);
  }
  // This process: utime, stime and the reaped children's cutime, cstime (ticks).
  void own_ticks(long utime, long stime, long cutime = 0, long cstime = 0) {
    std::ofstream(root_ / std::to_string(::getpid()) / "stat") << fmt::format(
        "{} (test (odd) name) R 1 1 1 0 -1 0 0 0 0 0 {} {} {} {} 20 0 3 0 999 1000 10\n",
        ::getpid(), utime, stime, cutime, cstime);
  }

 private:
  fs::path root_;
};

class StubContext final : public tune::TrialContext {
 public:
  int number() const override { return 1; }
  const tune::Params& params() const override { return params_; }
  using tune::TrialContext::report;
  void report(const tune::IntermediateReport&) override {}
  void set_usage_probe(tune::UsageProbe) override {}

 private:
  tune::Params params_;
};

TEST(RunConditions, ReadsLoadAverageAndSplitsBusyTimeBetweenTrialAndOthers) {
  FakeProc proc;
  proc.load_average(0.75);
  proc.machine_ticks(1000, 500, 9000);
  proc.own_ticks(100, 20);
  ConditionsRecorder recorder(proc.root());
  // 4 busy seconds on the machine (300 + 100 ticks), 3 of them ours (230 + 20 ticks of our own
  // and 50 of a child we reaped).
  proc.load_average(2.5);
  proc.machine_ticks(1300, 600, 9200);
  proc.own_ticks(330, 40, 30, 20);
  auto c = recorder.finish();
  ASSERT_TRUE(c.load_average_start && c.load_average_end);
  EXPECT_DOUBLE_EQ(*c.load_average_start, 0.75);
  EXPECT_DOUBLE_EQ(*c.load_average_end, 2.5);
  ASSERT_TRUE(c.cpu_share && c.other_cpu_seconds);
  EXPECT_NEAR(*c.cpu_share, 3.0 / 4.0, 1e-12);
  EXPECT_NEAR(*c.other_cpu_seconds, 1.0, 1e-12);
}

TEST(RunConditions, ATrialAloneGetsTheWholeMachineEvenWhenTicksDisagree) {
  FakeProc proc;
  proc.load_average(1);
  proc.machine_ticks(0, 0, 0);
  proc.own_ticks(0, 0);
  ConditionsRecorder recorder(proc.root());
  proc.machine_ticks(199, 0, 0);  // the process's counter ran one tick ahead of the machine's
  proc.own_ticks(200, 0);
  auto c = recorder.finish();
  EXPECT_EQ(c.cpu_share, 1.0);
  EXPECT_EQ(c.other_cpu_seconds, 0.0);
}

TEST(RunConditions, MissingOrBrokenFilesLeaveFiguresUnset) {
  FakeProc proc;  // nothing written yet
  ConditionsRecorder empty(proc.root());
  auto none = empty.finish();
  EXPECT_FALSE(none.load_average_start);
  EXPECT_FALSE(none.cpu_share);
  EXPECT_FALSE(none.other_cpu_seconds);

  std::ofstream(proc.root() / "loadavg") << "not a number\n";
  proc.machine_ticks(10, 10, 10);
  proc.own_ticks(5, 5);
  ConditionsRecorder no_busy(proc.root());
  proc.own_ticks(5, 5);  // no CPU was busy at all: no share to tell
  auto idle = no_busy.finish();
  EXPECT_FALSE(idle.load_average_start);
  EXPECT_FALSE(idle.cpu_share);
  EXPECT_EQ(idle.other_cpu_seconds, 0.0);

  proc.machine_ticks(100, 100, 100);
  ConditionsRecorder backwards(proc.root());
  proc.machine_ticks(50, 50, 100);  // a counter that went back says nothing
  EXPECT_FALSE(backwards.finish().cpu_share);
}

TEST(RunConditions, WrappedObjectiveGetsConditionsAndKeepsItsOwn) {
  FakeProc proc;
  proc.load_average(3);
  proc.machine_ticks(0, 0, 0);
  proc.own_ticks(0, 0);
  tune::Objective busy = [&](const tune::Params&, tune::TrialContext&) {
    // While the trial "runs", another process takes as much CPU as the trial.
    proc.load_average(4);
    proc.machine_ticks(200, 0, 0);
    proc.own_ticks(100, 0);
    tune::ObjectiveResult result;
    result.values = {1};
    return result;
  };
  StubContext context;
  auto result = with_conditions(busy, proc.root())({}, context);
  EXPECT_EQ(result.conditions.load_average_start, 3.0);
  EXPECT_EQ(result.conditions.load_average_end, 4.0);
  EXPECT_NEAR(result.conditions.cpu_share.value_or(-1), 0.5, 1e-12);
  EXPECT_NEAR(result.conditions.other_cpu_seconds.value_or(-1), 1.0, 1e-12);

  // An objective that knows its own share (a child process tree) keeps it.
  tune::Objective knows = [&](const tune::Params& params, tune::TrialContext& c) {
    auto r = busy(params, c);
    r.conditions.cpu_share = 0.9;
    return r;
  };
  proc.machine_ticks(0, 0, 0);
  proc.own_ticks(0, 0);
  auto own = with_conditions(knows, proc.root())({}, context);
  EXPECT_EQ(own.conditions.cpu_share, 0.9);
  EXPECT_TRUE(own.conditions.other_cpu_seconds);
}

TEST(RunConditions, ProcRootFollowsTheEnvironment) {
  const char* old = std::getenv("GREENTUNE_PROC_ROOT");
  std::string saved = old ? old : "";
  ::setenv("GREENTUNE_PROC_ROOT", "/tmp/fake-proc", 1);
  EXPECT_EQ(proc_root_from_environment(), fs::path("/tmp/fake-proc"));
  ::unsetenv("GREENTUNE_PROC_ROOT");
  EXPECT_EQ(proc_root_from_environment(), fs::path("/proc"));
  if (old) ::setenv("GREENTUNE_PROC_ROOT", saved.c_str(), 1);
}

TEST(RunConditions, RealProcGivesFiguresOnLinux) {
  if (!fs::exists("/proc/loadavg")) GTEST_SKIP() << "no /proc";
  ConditionsRecorder recorder("/proc");
  volatile double sink = 0;
  for (int i = 0; i < 20000000; ++i) sink = sink + i * 1e-9;
  auto c = recorder.finish();
  EXPECT_TRUE(c.load_average_start);
  EXPECT_TRUE(c.load_average_end);
  EXPECT_TRUE(c.other_cpu_seconds);
  // The share is only there when some CPU tick passed; when it is, it is a share.
  if (c.cpu_share) {
    EXPECT_GE(*c.cpu_share, 0.0);
    EXPECT_LE(*c.cpu_share, 1.0);
  }
}

}  // namespace
}  // namespace greentune::measured
