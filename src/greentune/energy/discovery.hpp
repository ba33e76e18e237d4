#pragma once
// Tries every energy source and picks what a Monitor should read: the first usable CPU counter
// (perf, then powercap, then MSR: they see the same RAPL counters, so only one is opened for
// good), NVML for GPUs, and the estimate only when no CPU counter is usable.
#include <memory>
#include <vector>

#include "greentune/energy/estimate.hpp"
#include "greentune/energy/source.hpp"

namespace greentune::energy {

struct Discovery {
  std::vector<ProbeResult> probes;               // every source tried, in order
  std::vector<bool> used;                        // per probe: its source is among `sources`
  std::vector<std::unique_ptr<Source>> sources;  // the ones to hand to a Monitor
};

Discovery discover(const SystemPaths& paths, const EstimateOptions& estimate);

// What `greentune meters` shows: every source, with its domains or why it is unusable.
std::vector<ProbeResult> probe_all(const SystemPaths& paths, const EstimateOptions& estimate);

std::vector<std::unique_ptr<Source>> open_sources(const SystemPaths& paths,
                                                  const EstimateOptions& estimate);

}  // namespace greentune::energy
