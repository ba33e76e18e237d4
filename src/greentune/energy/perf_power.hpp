#pragma once
// RAPL through the Linux perf `power` PMU (<sysfs>/bus/event_source/devices/power/): one
// perf_event_open counter per event and package, on the package's first CPU from `cpumask`.
#include <memory>

#include "greentune/energy/source.hpp"

namespace greentune::energy {

// nullptr when unusable, with result.usable = false and result.reason saying why (and the fix).
std::unique_ptr<Source> open_perf_power(const SystemPaths& paths, ProbeResult& result);

}  // namespace greentune::energy
