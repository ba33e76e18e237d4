#pragma once
// NVIDIA GPUs through NVML, loaded with dlopen (libnvidia-ml.so.1, or GREENTUNE_NVML_LIBRARY),
// so greentune builds and runs where no driver is installed. Honours CUDA_VISIBLE_DEVICES.
#include <memory>

#include "greentune/energy/source.hpp"

namespace greentune::energy {

// nullptr when unusable, with result.usable = false and result.reason saying why (and the fix).
std::unique_ptr<Source> open_nvml(ProbeResult& result);

}  // namespace greentune::energy
