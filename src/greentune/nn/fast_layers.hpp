#pragma once
// LibTorch modules that run greentune's own CPU kernels where LibTorch 1.13's are slow for the
// paper's small networks, and LibTorch's own code everywhere else (other devices, dtypes, memory
// layouts, shapes). Each is the LibTorch module it replaces (same options, parameters,
// initialisation and buffers; `as<torch::nn::Conv2d>()` finds it) with a different forward.
// Results match LibTorch's within float rounding (tests/nn/fast_layers_test.cpp).
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/options/batchnorm.h>
#include <torch/nn/pimpl.h>

namespace greentune::nn {

// Conv2d; 3x3, stride 1, padding 1, few channels, float NCHW on the CPU: a direct convolution
// (conv3x3_kernels.hpp), forward and backward.
class FastConv2dImpl : public torch::nn::Conv2dImpl {
 public:
  using torch::nn::Conv2dImpl::Conv2dImpl;
  torch::Tensor forward(const torch::Tensor& input);
  // Whether forward(input) takes greentune's kernel.
  bool uses_own_kernel(const torch::Tensor& input) const;
};
TORCH_MODULE(FastConv2d);

// BatchNorm2d; in training mode on float NCHW CPU tensors, batch statistics and the backward pass
// split by images instead of by channels (batch_norm_kernels.hpp). The same parameters and
// buffers under the same names and initial values as torch::nn::BatchNorm2d (which cannot be
// subclassed: LibTorch 1.13 does not export part of its vtable), the same running statistics
// (momentum, unbiased variance, num_batches_tracked) and LibTorch's batch_norm everywhere else.
class FastBatchNorm2dImpl : public torch::nn::Cloneable<FastBatchNorm2dImpl> {
 public:
  explicit FastBatchNorm2dImpl(int64_t features)
      : FastBatchNorm2dImpl(torch::nn::BatchNormOptions(features)) {}
  explicit FastBatchNorm2dImpl(const torch::nn::BatchNormOptions& options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& input);
  bool uses_own_kernel(const torch::Tensor& input) const;
  void pretty_print(std::ostream& stream) const override;

  torch::nn::BatchNormOptions options;
  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};
TORCH_MODULE(FastBatchNorm2d);

// ReLU; contiguous float CPU tensors: one vectorised pass each way (relu_kernels.hpp), same
// results as torch::relu.
class FastReLUImpl : public torch::nn::Cloneable<FastReLUImpl> {
 public:
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& input);
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::ReLU()"; }
};
TORCH_MODULE(FastReLU);

// MaxPool2d(kernel 2, stride 2); float NCHW on the CPU: a plain 2x2 scan. Identical outputs and
// gradients to MaxPool2d, ties and NaN included.
class MaxPool2x2Impl : public torch::nn::Cloneable<MaxPool2x2Impl> {
 public:
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& input);
  void pretty_print(std::ostream& stream) const override { stream << "MaxPool2x2"; }
};
TORCH_MODULE(MaxPool2x2);

}  // namespace greentune::nn
