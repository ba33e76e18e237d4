#include "greentune/energy/load_model.hpp"

#include <fmt/format.h>

#include <cmath>

#include "greentune/common/error.hpp"
#include "greentune/energy/cpu_tdp.hpp"

namespace greentune::energy {

CpuPowerModel cpu_power_model(const std::string& cpu_model, int cpus_per_package,
                              std::optional<double> tdp_override) {
  CpuPowerModel model;
  model.cpus_per_package = std::max(1, cpus_per_package);
  const std::string shown = cpu_model.empty() ? "(no model name in cpuinfo)" : cpu_model;
  if (tdp_override) {
    if (!std::isfinite(*tdp_override) || *tdp_override <= 0) {
      throw InputError(
          fmt::format("--cpu-tdp {}: expected the CPU package's TDP in watts, > 0", *tdp_override));
    }
    model.package_tdp = *tdp_override;
    model.tdp_source = fmt::format("TDP {:g} W from --cpu-tdp", *tdp_override);
  } else if (auto entry = match_cpu_tdp(cpu_model)) {
    model.package_tdp = entry->watts;
    model.tdp_source = fmt::format("TDP {:g} W of table entry '{}' for CPU '{}'", entry->watts,
                                   entry->name, shown);
  }
  if (model.package_tdp > 0) {
    model.watts_per_cpu = model.package_tdp / model.cpus_per_package;
    model.tdp_source += fmt::format(", / {} logical CPUs per package", model.cpus_per_package);
  } else {
    model.watts_per_cpu = kDefaultWattsPerLogicalCpu;
    model.tdp_source = fmt::format(
        "no CPU TDP table entry matches '{}', so the default {:g} W per logical CPU is used "
        "(set the package TDP with --cpu-tdp W)",
        shown, kDefaultWattsPerLogicalCpu);
  }
  return model;
}

}  // namespace greentune::energy
