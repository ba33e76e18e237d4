#pragma once
// LibTorch modules that run greentune's own CPU kernels where LibTorch 1.13's are slow for the
// paper's small networks, and LibTorch's own ops everywhere else (other devices, dtypes, memory
// layouts, shapes). Each has the parameters, initialisation and buffers of the LibTorch module it
// replaces, and results within float rounding of it (tests/nn/fast_layers_test.cpp).
#include <torch/nn/cloneable.h>
#include <torch/nn/options/batchnorm.h>
#include <torch/nn/pimpl.h>

namespace greentune::nn {

// Conv2d(in, out, 3, stride 1, padding 1), as SimpleCNN's blocks have it. With few channels
// (<= 32 in and out), on float NCHW CPU tensors: a direct convolution (conv3x3_kernels.hpp),
// forward and backward; otherwise LibTorch's conv2d. Parameters named, shaped and initialised as
// torch::nn::Conv2d's (same values for the same seed, tested). Its own module rather than a
// subclass of Conv2dImpl, whose vtable LibTorch does not promise to export (BatchNorm2d's it
// does not).
class FastConv2dImpl : public torch::nn::Cloneable<FastConv2dImpl> {
 public:
  FastConv2dImpl(int64_t in_channels, int64_t out_channels);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& input);
  // Whether forward(input) takes greentune's kernel.
  bool uses_own_kernel(const torch::Tensor& input) const;
  void pretty_print(std::ostream& stream) const override;

  int64_t in_channels, out_channels;
  torch::Tensor weight, bias;
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
  // What forward does first: in training, counts the batch in num_batches_tracked; returns the
  // factor for the running statistics (the momentum, or 1/batches without one).
  double count_batch();
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
