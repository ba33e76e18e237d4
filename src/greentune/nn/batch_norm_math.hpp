#pragma once
// Training-mode BatchNorm2d's per-channel arithmetic around the plane kernels
// (batch_norm_kernels.hpp), shared by the BatchNorm2d layer and the fused batch norm + ReLU + max
// pool block (fused_block.hpp), so both compute the same values.
#include <torch/types.h>

#include <vector>

namespace greentune::nn {

struct BatchNormStatistics {
  torch::Tensor mean, invstd;       // [channels], float
  std::vector<float> scale, shift;  // the forward output is x * scale[c] + shift[c]
};

// Batch statistics of a contiguous float NCHW input (sums per chunk of images, split between
// threads), and the running statistics updated as BatchNorm2d does (momentum, unbiased variance).
BatchNormStatistics batch_norm_statistics(const torch::Tensor& input, const torch::Tensor& weight,
                                          const torch::Tensor& bias, torch::Tensor& running_mean,
                                          torch::Tensor& running_var, double momentum, double eps);

struct BatchNormGradients {
  torch::Tensor weight, bias;  // undefined where not wanted
  // The input gradient is dy * a[c] + x * b[c] + k[c] (empty where not wanted).
  std::vector<float> a, b, k;
};

// From sums = [sum of dy per channel..., sum of dy * (x - mean) per channel...] over `count`
// values per channel.
BatchNormGradients batch_norm_gradients(const std::vector<double>& sums, const torch::Tensor& mean,
                                        const torch::Tensor& invstd, const torch::Tensor& weight,
                                        double count, bool want_weight, bool want_bias,
                                        bool want_input);

}  // namespace greentune::nn
