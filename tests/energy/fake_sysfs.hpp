#pragma once
// Fake kernel trees for the energy source tests: a temp directory that disappears with the test,
// and a writer that creates parent directories.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "greentune/energy/source.hpp"

namespace greentune::energy::testing {

class FakeRoot {
 public:
  FakeRoot();
  ~FakeRoot();
  FakeRoot(const FakeRoot&) = delete;
  FakeRoot& operator=(const FakeRoot&) = delete;

  const std::filesystem::path& path() const { return root_; }
  SystemPaths paths() const;  // sysfs, dev and proc under this root

  // Writes a whole file, atomically (a concurrent reader sees the old or the new content).
  void write(const std::filesystem::path& relative, std::string_view content) const;
  // Writes 8 little-endian bytes at `offset`, as an MSR device file holds them.
  void write_u64_at(const std::filesystem::path& relative, uint64_t offset, uint64_t value) const;
  // The 8 bytes at `offset`, little-endian. AMD's RAPL registers are 1 apart, so in a regular
  // file their values overlap: tests take expectations from what is really on file.
  uint64_t read_u64_at(const std::filesystem::path& relative, uint64_t offset) const;

  // sysfs/devices/system/cpu/cpuN/topology for `cpus_per_package` CPUs in each package.
  void write_topology(int packages, int cpus_per_package, int threads_per_core = 1) const;

 private:
  std::filesystem::path root_;
};

// Runs `body` in a forked child that has dropped root (uid/gid 65534), so permission checks
// apply even when the tests run as root; returns what the child wrote to its output string.
std::string run_as_nobody(const std::function<std::string()>& body);

}  // namespace greentune::energy::testing
