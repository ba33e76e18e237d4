#pragma once
// LibTorch's process-wide settings, set once before training.
#include <string>

namespace greentune::nn {

// LibTorch 1.13 uses half the cores by default; training should use all usable ones.
// threads <= 0 means every usable CPU.
void configure_threads(int threads);
int torch_threads();
bool cuda_available();
std::string torch_version();

// libgomp reads its spin setting only when it is loaded, so this re-executes the process once with
// greentune's short spin (common/openmp_spin.hpp; not when the user set GOMP_SPINCOUNT or
// OMP_WAIT_POLICY). Call it first thing in a command that trains on CPU;
// it returns only when no restart happened (already restarted, user setting, or exec failed).
void restart_with_short_openmp_spin();

}  // namespace greentune::nn
