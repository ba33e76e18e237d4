#pragma once
// BatchNorm2d -> ReLU -> MaxPool2d(2), the tail of each SimpleCNN block, as one autograd function
// on the CPU. Run as three layers it writes and reads back three full-size tensors each way (batch
// norm output, ReLU output, pool and ReLU gradients), ~4.8 MB each on FashionMNIST's first block:
// memory traffic, not arithmetic, was their cost. The fused function runs the same kernels image
// by image in a buffer that stays in cache, recomputing the cheap ReLU input in the backward pass
// instead of keeping it, so it computes the same values, bit for bit, as the three layers
// (tests/nn/fused_block_test.cpp).
#include <torch/nn/modules/container/sequential.h>

#include "greentune/nn/fast_layers.hpp"

namespace greentune::nn {

// max_pool(relu(norm(input))) in training mode, counting the batch and updating the running
// statistics as norm->forward does. Requires norm->uses_own_kernel(input).
torch::Tensor batch_norm_relu_max_pool(FastBatchNorm2dImpl& norm, const torch::Tensor& input);

// net->forward(input), but each FastBatchNorm2d, FastReLU, MaxPool2x2 run whose batch norm takes
// its own kernel goes through batch_norm_relu_max_pool.
torch::Tensor forward_fusing_blocks(torch::nn::Sequential& net, const torch::Tensor& input);

}  // namespace greentune::nn
