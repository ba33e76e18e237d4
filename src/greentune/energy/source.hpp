#pragma once
// An energy source reads monotonic counters, one per domain (package-0, dram-0, gpu-0, ...).
// The Monitor turns raw counter reads into 64-bit joule totals across wraps; a source only says
// what its counters are and how far they go before wrapping.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greentune/energy/load_model.hpp"

namespace greentune::energy {

enum class Kind { measured, estimated };
const char* to_string(Kind kind);

struct DomainInfo {
  std::string name;    // "package-0", "dram-0", "core-0", "uncore-0", "psys", "gpu-0"
  std::string source;  // "perf", "powercap", "msr", "nvml", "estimate"
  Kind kind = Kind::measured;
  // How the figure is made: "RAPL via powercap intel-rapl:0", "NVML total energy counter, NVIDIA
  // H100", or for estimates the model and why no counter was usable.
  std::string method;
  // A subzone whose energy is already inside another domain of the same source (powercap core-0
  // and uncore-0 inside package-0): report it, but never add it to a total.
  bool part_of_parent = false;
};

struct CounterRead {
  uint64_t value = 0;  // raw counter units
  // The counter counts modulo this many units (e.g. max_energy_range_uj + 1, 2^32 for MSRs);
  // 0 means it never wraps within a run (64-bit cumulative counters, integrated estimates).
  uint64_t wraps_at = 0;
  double joules_per_unit = 1.0;
  bool ok = true;  // false: this read failed (the Monitor counts it as a missed sample)
};

class Source {
 public:
  virtual ~Source() = default;
  virtual std::string name() const = 0;
  virtual std::vector<DomainInfo> domains() const = 0;
  // One read per domain, in the order of domains().
  virtual std::vector<CounterRead> read() = 0;
  // The longest time between reads that cannot let any counter wrap twice at its domain's
  // highest plausible power; the Monitor samples at least this often.
  virtual std::chrono::milliseconds max_read_interval() const { return std::chrono::hours(1); }
};

// Where the kernel's trees are; tests and containers move them (GREENTUNE_SYSFS_ROOT,
// GREENTUNE_DEV_ROOT, --sysfs-root, --dev-root).
struct SystemPaths {
  std::filesystem::path sysfs_root = "/sys";
  std::filesystem::path dev_root = "/dev";
  std::filesystem::path proc_root = "/proc";
  static SystemPaths from_environment();
};

// What trying one source found: its domains, or why it is unusable (with the fix, where one
// exists).
struct ProbeResult {
  std::string source;
  bool usable = false;
  std::string reason;
  std::vector<DomainInfo> domains;
  // The estimate only: the CPU, its TDP and thread count, and where each came from.
  std::optional<CpuPowerModel> cpu_power;
};

}  // namespace greentune::energy
