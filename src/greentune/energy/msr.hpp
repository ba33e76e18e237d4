#pragma once
// RAPL read straight from the model-specific registers through <dev>/cpu/N/msr, one CPU per
// package. Intel and AMD register layouts; the counters are 32 bits wide and wrap.
#include <memory>

#include "greentune/energy/source.hpp"

namespace greentune::energy {

// nullptr when unusable, with result.usable = false and result.reason saying why (and the fix).
std::unique_ptr<Source> open_msr(const SystemPaths& paths, ProbeResult& result);

}  // namespace greentune::energy
