#pragma once
// RAPL through the Linux perf `power` PMU (<sysfs>/bus/event_source/devices/power/): one
// perf_event_open counter per event and package, on the package's CPU from `cpumask`.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greentune/energy/source.hpp"

namespace greentune::energy {

// nullptr when unusable, with result.usable = false and result.reason saying why (and the fix).
std::unique_ptr<Source> open_perf_power(const SystemPaths& paths, ProbeResult& result);

// What sysfs says about the PMU; exposed so the parsing is testable without perf_event_open.
struct PerfPowerEvent {
  std::string event;   // "energy-pkg"
  std::string domain;  // "package", "dram", "core", "uncore", "psys"
  bool part_of_parent = false;
  uint64_t config = 0;
  double scale = 0;  // joules per count
};
struct PerfPowerCpu {
  int cpu = 0;
  int package = 0;
  // Set when cpumask lists two CPUs of one package (per-die RAPL): names become package-P-die-D.
  int die = -1;
};
struct PerfPowerPmu {
  uint32_t type = 0;
  std::vector<PerfPowerCpu> cpus;  // one per package, from cpumask
  std::vector<PerfPowerEvent> events;
  std::vector<std::string> notes;  // events skipped, and why
};
// nullopt with `reason` set when there is no usable PMU description.
std::optional<PerfPowerPmu> read_perf_power_pmu(const SystemPaths& paths, std::string& reason);

// Why perf_event_open failed with `error`, and the command that fixes it where one exists.
std::string perf_open_failure_reason(int error, int cpu, const std::string& event,
                                     const SystemPaths& paths);

}  // namespace greentune::energy
