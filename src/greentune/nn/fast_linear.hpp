#pragma once
// torch::nn::Linear whose CPU GEMMs are split between LibTorch's threads, each calling OpenBLAS
// single-threaded on its own rows, instead of OpenBLAS running its own thread pool beside
// LibTorch's OpenMP one. With two pools each pool's idle threads spin and yield while the other
// works; on the paper's SimpleCNN that was ~45% of the CPU time of a 2-thread epoch.
#include <torch/nn/modules/linear.h>

namespace greentune::nn {

// A LinearImpl (same options, parameters, initialisation, printing; as<torch::nn::Linear>()
// finds it) whose forward runs the split GEMMs on 2-D contiguous float CPU inputs and LibTorch's
// linear everywhere else. Forward and every gradient match torch::nn::functional::linear within
// float rounding and do not depend on the thread count (tests/nn/fast_linear_test.cpp).
class FastLinearImpl : public torch::nn::LinearImpl {
 public:
  using torch::nn::LinearImpl::LinearImpl;
  torch::Tensor forward(const torch::Tensor& input);
  bool uses_own_kernel(const torch::Tensor& input) const;
};
TORCH_MODULE(FastLinear);

}  // namespace greentune::nn
