#pragma once
// Building the paper's networks as LibTorch modules. Included only by nn code and its tests.
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <string>

#include "greentune/nn/model_spec.hpp"

namespace greentune::nn {

// MaxPool2d(kernel 2, stride 2) with a faster CPU kernel; identical outputs and gradients.
class MaxPool2x2Impl : public torch::nn::Cloneable<MaxPool2x2Impl> {
 public:
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& input);
  void pretty_print(std::ostream& stream) const override { stream << "MaxPool2x2"; }
};
TORCH_MODULE(MaxPool2x2);

// A Sequential of plain modules (Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear), so the
// trainer can time each layer type. Throws InputError when the input is too small for the spec's
// conv blocks.
torch::nn::Sequential build_network(const ModelSpec& spec, int channels, int height, int width,
                                    int classes = 10);

// "conv", "batchnorm", "relu", "pool", "flatten", "linear" (the module's type otherwise).
std::string layer_type(const std::string& module_name);

}  // namespace greentune::nn
