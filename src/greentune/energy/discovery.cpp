#include "greentune/energy/discovery.hpp"

#include <functional>

#include "greentune/energy/msr.hpp"
#include "greentune/energy/nvml.hpp"
#include "greentune/energy/perf_power.hpp"
#include "greentune/energy/powercap.hpp"

namespace greentune::energy {
namespace {

// The first clause of a reason ("no powercap tree at /sys/class/powercap"): the estimate's method
// names why each counter is unusable; the full reasons with their fixes are in `meters`.
std::string gist(const std::string& reason) {
  auto end = reason.find_first_of("(;");
  std::string text = reason.substr(0, end);
  while (!text.empty() && (text.back() == ' ' || text.back() == ',')) text.pop_back();
  return text;
}

}  // namespace

Discovery discover(const SystemPaths& paths, const EstimateOptions& estimate) {
  Discovery found;
  using Opener = std::function<std::unique_ptr<Source>(ProbeResult&)>;
  const std::vector<std::pair<const char*, Opener>> cpu_openers = {
      {"perf", [&](ProbeResult& r) { return open_perf_power(paths, r); }},
      {"powercap", [&](ProbeResult& r) { return open_powercap(paths, r); }},
      {"msr", [&](ProbeResult& r) { return open_msr(paths, r); }},
  };
  std::string cpu_source;  // the CPU counter in use, "" when none
  std::string why_none;    // every CPU source's reason, for the estimate's method text
  for (const auto& [name, open] : cpu_openers) {
    ProbeResult result;
    result.source = name;
    std::unique_ptr<Source> source;
    try {
      source = open(result);
    } catch (const std::exception& e) {
      source.reset();
      result.usable = false;
      result.reason = e.what();
    }
    if (result.source.empty()) result.source = name;
    if (source && cpu_source.empty()) {
      result.usable = true;
      cpu_source = name;
      found.sources.push_back(std::move(source));
    } else if (source) {
      // Same RAPL counters through another interface: reading both would count the CPU twice.
      result.reason = "usable, but not used: CPU energy already comes from " + cpu_source;
    } else {
      result.usable = false;
      if (result.reason.empty()) result.reason = "unusable (no reason given)";
      why_none += (why_none.empty() ? "" : "; ") + std::string(name) + ": " + gist(result.reason);
    }
    found.used.push_back(cpu_source == name);
    found.probes.push_back(std::move(result));
  }

  ProbeResult gpu;
  gpu.source = "nvml";
  try {
    if (auto source = open_nvml(gpu)) {
      gpu.usable = true;
      found.sources.push_back(std::move(source));
    }
  } catch (const std::exception& e) {
    gpu.usable = false;
    gpu.reason = e.what();
  }
  if (gpu.source.empty()) gpu.source = "nvml";
  found.used.push_back(gpu.usable);
  found.probes.push_back(std::move(gpu));

  ProbeResult estimated;
  auto source = open_estimate(
      paths, estimate,
      cpu_source.empty() ? "no CPU energy counter is usable (" + why_none + ")" : std::string(),
      estimated);
  if (cpu_source.empty()) {
    estimated.reason = "no CPU energy counter is usable, so CPU energy is estimated";
    found.sources.push_back(std::move(source));
  } else {
    estimated.reason = "usable, but not used: CPU energy is measured by " + cpu_source;
  }
  found.used.push_back(cpu_source.empty());
  found.probes.push_back(std::move(estimated));
  return found;
}

std::vector<ProbeResult> probe_all(const SystemPaths& paths, const EstimateOptions& estimate) {
  return discover(paths, estimate).probes;
}

std::vector<std::unique_ptr<Source>> open_sources(const SystemPaths& paths,
                                                  const EstimateOptions& estimate) {
  return discover(paths, estimate).sources;
}

}  // namespace greentune::energy
