#include "greentune/energy/load_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "greentune/common/error.hpp"
#include "greentune/energy/cpu_tdp.hpp"
#include "greentune/energy/cpu_threads.hpp"

namespace greentune::energy {

CpuPowerModel cpu_power_model(const CpuInfo& cpu, std::optional<double> tdp_override,
                              std::optional<int> threads_override) {
  CpuPowerModel model;
  model.cpu_model = cpu.model;
  const std::string shown = cpu.model.empty() ? "(no model name in cpuinfo)" : cpu.model;

  if (tdp_override) {
    if (!std::isfinite(*tdp_override) || *tdp_override <= 0) {
      throw InputError(
          fmt::format("--cpu-tdp {}: expected the CPU package's TDP in watts, > 0", *tdp_override));
    }
    model.package_tdp = *tdp_override;
    model.tdp_source = fmt::format("TDP {:g} W from --cpu-tdp", *tdp_override);
  } else if (auto entry = match_cpu_tdp(cpu.model)) {
    model.package_tdp = entry->watts;
    model.tdp_source = fmt::format("TDP {:g} W of table entry '{}' for CPU '{}'", entry->watts,
                                   entry->name, shown);
  } else {
    model.tdp_source = fmt::format("no CPU TDP table entry matches '{}'", shown);
  }

  if (threads_override) {
    if (*threads_override < 1 || *threads_override > 4096) {
      throw InputError(fmt::format(
          "--cpu-threads {}: expected the hardware threads of one physical CPU package, 1 to 4096",
          *threads_override));
    }
    model.threads_per_package = *threads_override;
    model.threads_source =
        fmt::format("{} threads per package from --cpu-threads", *threads_override);
  } else if (auto part = match_cpu_threads(cpu.model)) {
    model.threads_per_package = part->threads;
    model.threads_source =
        fmt::format("{} threads per package of '{}' (greentune's table of known parts)",
                    part->threads, part->name);
  } else if (!cpu.virtual_machine && cpu.cpus_per_package > 0) {
    model.threads_per_package = cpu.cpus_per_package;
    model.threads_source =
        fmt::format("{} logical CPUs per package from /proc/cpuinfo siblings (bare metal)",
                    cpu.cpus_per_package);
  } else {
    model.threads_source = fmt::format(
        "the physical CPU's thread count is unknown: this is a VM, where /proc/cpuinfo siblings "
        "({}) counts vCPUs, and '{}' is not in greentune's table of known parts (give it with "
        "--cpu-threads N)",
        cpu.cpus_per_package, shown);
  }

  if (model.package_tdp > 0 && model.threads_per_package > 0) {
    model.watts_per_cpu = model.package_tdp / model.threads_per_package;
    model.summary = fmt::format("{} / {}", model.tdp_source, model.threads_source);
  } else if (model.package_tdp > 0) {
    model.watts_per_cpu = kDefaultWattsPerLogicalCpu;
    model.summary = fmt::format(
        "{}, but {}; so the default {:g} W per logical CPU is used instead of TDP / vCPUs",
        model.tdp_source, model.threads_source, kDefaultWattsPerLogicalCpu);
  } else {
    model.watts_per_cpu = kDefaultWattsPerLogicalCpu;
    model.summary = fmt::format(
        "{}, so the default {:g} W per logical CPU is used (set the package TDP with "
        "--cpu-tdp W)",
        model.tdp_source, kDefaultWattsPerLogicalCpu);
  }
  return model;
}

}  // namespace greentune::energy
