#include "greentune/nn/runtime.hpp"

#include <dlfcn.h>
#include <torch/torch.h>

#include "greentune/system/machine.hpp"

namespace greentune::nn {

void configure_threads(int threads) {
  if (threads <= 0) threads = system::describe_machine().logical_cpus;
  torch::set_num_threads(threads);
  // LibTorch sizes only its OpenMP pool; OpenBLAS's own pthreads pool (the Linear layers' GEMMs)
  // would still start one thread per core, so --threads 1 would not mean one thread.
  using SetThreads = void (*)(int);
  if (auto* set_blas_threads =
          reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas_threads(threads);
  }
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
