#pragma once
// NVIDIA GPUs through NVML, loaded with dlopen (libnvidia-ml.so.1, or GREENTUNE_NVML_LIBRARY),
// so greentune builds and runs where no driver is installed.
//
// Which GPUs: those CUDA_VISIBLE_DEVICES selects, as CUDA reads it (indices, whole or prefixed
// GPU-... UUIDs, ending at the first entry that names no GPU), and gpu-N is CUDA's device N.
// Indices count in CUDA's order: PCI bus order when CUDA_DEVICE_ORDER=PCI_BUS_ID, and also
// when all GPUs are one model (CUDA's default "fastest first" then ties on every GPU and falls
// back to PCI bus order). For different models without PCI_BUS_ID, CUDA's heuristic decides and
// NVML cannot see it: PCI bus order is used, and the method texts and the probe's reason carry a
// warning that says to set CUDA_DEVICE_ORDER=PCI_BUS_ID for the measured program.
//
// How: the driver's total energy counter (Volta and later); without one, the power is polled and
// integrated with the trapezoid rule, from the instantaneous power field
// (NVML_FI_DEV_POWER_INSTANT) where the driver has it, else nvmlDeviceGetPowerUsage.
#include <memory>

#include "greentune/energy/source.hpp"

namespace greentune::energy {

// nullptr when unusable, with result.usable = false and result.reason saying why (and the fix).
std::unique_ptr<Source> open_nvml(ProbeResult& result);

}  // namespace greentune::energy
