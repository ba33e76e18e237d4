#include "greentune/nn/runtime.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <torch/torch.h>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "greentune/common/openmp_spin.hpp"
#include "greentune/system/machine.hpp"

namespace greentune::nn {

void configure_threads(int threads) {
  if (threads <= 0) threads = system::describe_machine().logical_cpus;
  torch::set_num_threads(threads);
  // LibTorch sizes only its OpenMP pool; OpenBLAS would start its own pthreads pool beside it, one
  // thread per core. The linear layers split their GEMMs between LibTorch's threads themselves
  // (fast_linear.hpp), each calling OpenBLAS on one thread: a second pool's threads would only
  // spin and yield against the first's.
  using SetThreads = void (*)(int);
  if (auto* set_blas_threads =
          reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas_threads(1);
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

// Measured: 2-thread SimpleCNN epoch 5.0 s with the default spin, 2.5-3.4 s with 10000 spins
// (side by side at load ~2.5 on 2 CPUs, bench/train_vs_pytorch.sh). Once greentune's kernels ran
// on both threads (many more parallel regions per batch), 300 spins took 2.95 s against 4.97 s
// with 10000 (3 runs each, alternating, load 5.4-6.4).
void restart_with_short_openmp_spin() {
  if (!set_short_openmp_spin()) return;  // the user's setting, or already restarted
  std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(cmdline, arg, '\0');) args.push_back(arg);
  if (args.empty()) return;
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  // exec failed: train with libgomp's defaults
}

}  // namespace greentune::nn
