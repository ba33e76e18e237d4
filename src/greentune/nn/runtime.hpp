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

}  // namespace greentune::nn
