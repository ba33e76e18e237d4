#pragma once
// RAPL through the powercap tree (<sysfs>/class/powercap/intel-rapl:* and intel-rapl-mmio:*;
// AMD exposes the same names). Every zone is its own domain; subzones are flagged part_of_parent.
#include <memory>

#include "greentune/energy/source.hpp"

namespace greentune::energy {

// nullptr when unusable, with result.usable = false and result.reason saying why (and the fix).
std::unique_ptr<Source> open_powercap(const SystemPaths& paths, ProbeResult& result);

}  // namespace greentune::energy
