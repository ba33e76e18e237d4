#pragma once
// How the estimate turns CPU time into watts. The model is P = TDP x load for a package, i.e. every
// busy logical CPU draws TDP / (logical CPUs per package): of the models fitted on CodeCarbon's
// RAPL load profiles (bench/fit_load_model.py, docs/measuring-energy.md) it is as accurate as any
// (mean energy error 25 % per profile) and, unlike CodeCarbon's TDP x (0.1 + 0.9 x load^3), it
// lets CPU seconds be attributed to a process without knowing what else runs on the machine.
#include <optional>
#include <string>

namespace greentune::energy {

// Used when the CPU is not in the TDP table: the median full-load package power per logical CPU
// over the profiled CPUs (3.2 to 11.5 W).
inline constexpr double kDefaultWattsPerLogicalCpu = 5.4;
// DRAM: 3 W per 8 GB of resident memory, the figure CodeCarbon uses for RAM.
inline constexpr double kDramWattsPerGb = 3.0 / 8.0;

struct CpuPowerModel {
  double watts_per_cpu = 0;  // one logical CPU busy for one second draws this many joules
  double package_tdp = 0;    // 0 when the default per-CPU figure is used
  int cpus_per_package = 0;
  std::string tdp_source;  // how the TDP was found, for the method text
};

// `cpu_model` is /proc/cpuinfo's "model name"; `cpus_per_package` its "siblings" (logical CPUs per
// package, as this machine or VM sees them); `tdp_override` is --cpu-tdp.
CpuPowerModel cpu_power_model(const std::string& cpu_model, int cpus_per_package,
                              std::optional<double> tdp_override);

}  // namespace greentune::energy
