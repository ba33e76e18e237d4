#include "greentune/command/group_cpu.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace greentune::command {
namespace {

// A fake <proc>: one stat file per process, as the kernel writes them.
class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("greentune-fake-proc-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  // utime etc. in clock ticks (sysconf(_SC_CLK_TCK), 100 on Linux).
  void process(int pid, int ppid, int pgid, int utime, int cutime = 0, int start = 1000,
               const std::string& name = "prog") {
    std::filesystem::create_directories(root_ / std::to_string(pid));
    std::ofstream(root_ / std::to_string(pid) / "stat")
        << pid << " (" << name << ") S " << ppid << " " << pgid << " " << pgid
        << " 0 -1 4194304 0 0 0 0 " << utime << " 0 " << cutime << " 0 20 0 1 0 " << start
        << " 1000 100 0\n";
  }
  void gone(int pid) { std::filesystem::remove_all(root_ / std::to_string(pid)); }
  std::filesystem::path root_;
};

TEST_F(FakeProc, ReadsStatFilesWithOddNamesAndNegativeFields) {
  process(42, 1, 42, 250, 50, 777, "a) b (c");
  auto s = read_proc_sample(root_, 42);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ppid, 1);
  EXPECT_EQ(s->pgid, 42);
  EXPECT_EQ(s->start_ticks, 777u);
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 300.0 / static_cast<double>(sysconf(_SC_CLK_TCK)));
  EXPECT_FALSE(read_proc_sample(root_, 43));
}

TEST_F(FakeProc, CountsTheGroupAndDescendantsThatLeftIt) {
  const double tick = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  process(100, 1, 100, 10);    // the leader
  process(101, 100, 100, 20);  // a child
  process(102, 101, 102, 30);  // a grandchild in a group of its own (setsid)
  process(103, 1, 100, 40);    // an orphan still in the group
  process(200, 1, 200, 1000);  // another trial
  process(201, 200, 200, 1000);
  GroupCpu cpu(root_);
  EXPECT_EQ(cpu.cpu_seconds(), 0);  // no group yet
  cpu.set_group(100);
  EXPECT_NEAR(cpu.cpu_seconds(), 100 * tick, 1e-9);
  // The child exits, reaped by nobody we see: what was seen stays counted.
  gone(101);
  EXPECT_NEAR(cpu.cpu_seconds(), 100 * tick, 1e-9);
  // The leader is reaped by the runner, which hands over its rusage; the figure never drops.
  gone(100);
  cpu.add_reaped(15 * tick);
  EXPECT_NEAR(cpu.cpu_seconds(), 100 * tick, 1e-9);  // 15 + 30 + 40 < 100 seen
  process(103, 1, 100, 70);
  EXPECT_NEAR(cpu.cpu_seconds(), (15 + 30 + 70) * tick, 1e-9);
}

}  // namespace
}  // namespace greentune::command
