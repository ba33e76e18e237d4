#pragma once
// How the estimate turns CPU time into watts. The model is P = TDP x load for a package, i.e. every
// busy hardware thread draws TDP / (threads of the physical package): of the models fitted on
// CodeCarbon's RAPL load profiles (bench/fit_load_model.py, docs/measuring-energy.md) it is as
// accurate as any (mean energy error 25 % per profile) and, unlike CodeCarbon's
// TDP x (0.1 + 0.9 x load^3), it lets CPU seconds be attributed to a process without knowing what
// else runs on the machine.
#include <optional>
#include <string>

namespace greentune::energy {

// Used when the TDP or the physical part's thread count is unknown: the median full-load package
// power per hardware thread over the profiled CPUs (3.2 to 11.5 W).
inline constexpr double kDefaultWattsPerLogicalCpu = 5.4;
// DRAM: 3 W per 8 GB of resident memory, the figure CodeCarbon uses for RAM.
inline constexpr double kDramWattsPerGb = 3.0 / 8.0;

// What /proc/cpuinfo says about the CPU this process sees.
struct CpuInfo {
  std::string model;         // "model name" ("" when absent)
  int cpus_per_package = 0;  // "siblings": logical CPUs per package as this machine or VM sees them
  bool virtual_machine = false;  // "hypervisor" among the flags: siblings counts vCPUs
};

struct CpuPowerModel {
  std::string cpu_model;        // as cpuinfo gives it
  double watts_per_cpu = 0;     // one busy logical CPU for one second draws this many joules
  double package_tdp = 0;       // 0 when unknown
  std::string tdp_source;       // where the TDP came from, or why there is none
  int threads_per_package = 0;  // hardware threads of the physical package; 0 when unknown
  std::string threads_source;   // where that count came from, or why there is none
  std::string summary;          // how watts_per_cpu follows from the above, for method texts
};

// `tdp_override` is --cpu-tdp and `threads_override` --cpu-threads. The thread count comes from
// --cpu-threads, else greentune's table of known parts, else cpuinfo's siblings on bare metal; in a
// VM without either, siblings counts vCPUs, so TDP / siblings would charge each vCPU a whole
// share of a big part (150 W each for 2 vCPUs of a 300 W Xeon): the default per-thread figure is
// used instead, and the summary says so. InputError for an override that is not positive.
CpuPowerModel cpu_power_model(const CpuInfo& cpu, std::optional<double> tdp_override,
                              std::optional<int> threads_override = std::nullopt);

}  // namespace greentune::energy
