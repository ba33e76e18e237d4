#pragma once
// Building the paper's networks as LibTorch modules. Included only by nn code and its tests.
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <string>

#include "greentune/nn/fast_layers.hpp"
#include "greentune/nn/fast_linear.hpp"
#include "greentune/nn/model_spec.hpp"

namespace greentune::nn {

// A Sequential of plain modules (Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear; all but
// Flatten and Linear with greentune's CPU kernels, fast_layers.hpp), so the trainer can time each
// layer type. Throws InputError when the input is too small for the spec's conv blocks.
torch::nn::Sequential build_network(const ModelSpec& spec, int channels, int height, int width,
                                    int classes = 10);

// "conv", "batchnorm", "relu", "pool", "flatten", "linear" (the module's type otherwise).
std::string layer_type(const std::string& module_name);

}  // namespace greentune::nn
