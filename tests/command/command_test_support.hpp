#pragma once
// What the command room's tests share: a temp folder per test, small programs written into it, and
// machine counters whose energy follows the machine's busy CPU time (10 J per CPU-second), so a
// trial's attributed joules are 10 x its own CPU time.
#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "greentune/command/energy_ledger.hpp"
#include "greentune/command/runner.hpp"

namespace greentune::command::testing {

class CpuProportionalCounters : public MachineCounters {
 public:
  static constexpr double kJoulesPerCpuSecond = 10;
  std::vector<LedgerDomain> domains() const override;
  std::vector<double> joules() override;
  double busy_cpu_seconds() override;
};

// The whole file, "" when unreadable.
std::string slurp(const std::filesystem::path& file);
// Writes an executable file.
std::filesystem::path write_program(const std::filesystem::path& path, const std::string& text);
// True when no process with this pid exists any more (a zombie still counts as existing).
bool process_gone(pid_t pid);
// Waits (up to a minute, polling) for `file` to exist; false when it never came.
bool wait_for_file(const std::filesystem::path& file);

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // A runtime with `argv`, metric "score", base dir dir_, study "study".
  CommandRuntime runtime(std::vector<std::string> argv) const;
  std::filesystem::path dir_;
};

}  // namespace greentune::command::testing
