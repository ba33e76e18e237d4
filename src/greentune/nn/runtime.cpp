#include "greentune/nn/runtime.hpp"

#include <torch/torch.h>

#include "greentune/system/machine.hpp"

namespace greentune::nn {

void configure_threads(int threads) {
  if (threads <= 0) threads = system::describe_machine().logical_cpus;
  torch::set_num_threads(threads);
}

int torch_threads() {
  return torch::get_num_threads();
}

bool cuda_available() {
  return torch::cuda::is_available();
}

std::string torch_version() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

}  // namespace greentune::nn
