#pragma once
// A study whose space names gpu_power_limit_w: each trial runs with the GPU's power limit set to
// its value, and the previous limit is back when the trial ends, however it ends (a value, an
// exception). Ctrl-C and crashes are the caller's and the journal's (energy/gpu_power_limit.hpp).
#include <filesystem>
#include <memory>
#include <string>

#include "greentune/energy/gpu_power_limit.hpp"
#include "greentune/tune/objective.hpp"
#include "greentune/tune/space.hpp"

namespace greentune::measured {

constexpr const char* kPowerLimitParameter = "gpu_power_limit_w";

// nullptr when the space does not name gpu_power_limit_w. Otherwise the limit of the GPU the
// trials train on, checked before any trial: `device` must be "cuda", the parameter an integer
// whose range lies within the board's, and NVML must allow the change (InputError saying which
// of these fails, naming `source`).
std::shared_ptr<energy::GpuPowerLimit> open_power_limit(const tune::SearchSpace& space,
                                                        const std::string& device,
                                                        const std::filesystem::path& journal,
                                                        const std::string& source);

tune::Objective with_power_limit(tune::Objective inner,
                                 std::shared_ptr<energy::GpuPowerLimit> limit);

}  // namespace greentune::measured
