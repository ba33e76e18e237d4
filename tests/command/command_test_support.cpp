#include "command_test_support.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "greentune/energy/process_cpu.hpp"

namespace greentune::command::testing {

std::vector<LedgerDomain> CpuProportionalCounters::domains() const {
  return {{"package-0", "fake", "measured", false, false}};
}

std::vector<double> CpuProportionalCounters::joules() {
  return {kJoulesPerCpuSecond * busy_cpu_seconds()};
}

double CpuProportionalCounters::busy_cpu_seconds() {
  return energy::machine_busy_cpu_seconds("/proc").value_or(0);
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path write_program(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

bool process_gone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

bool wait_for_file(const std::filesystem::path& file) {
  for (int i = 0; i < 1200; ++i) {
    if (std::filesystem::exists(file)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void CommandTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = std::filesystem::temp_directory_path() /
         ("greentune-command-" + std::to_string(::getpid()) + "-" + info->name());
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  // As `greentune tune` does: orphans of the programs come to this process, which reaps them.
  adopt_orphans();
}

void CommandTest::TearDown() {
  if (!HasFailure()) std::filesystem::remove_all(dir_);
}

CommandRuntime CommandTest::runtime(std::vector<std::string> argv) const {
  CommandRuntime r;
  r.config.argv = std::move(argv);
  r.config.metrics = {"score"};
  r.config.grace_seconds = 2;
  r.base_dir = dir_;
  r.study = "study";
  return r;
}

}  // namespace greentune::command::testing
