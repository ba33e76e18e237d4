#pragma once
// The paper's networks as data: a spec string such as "simplecnn:conv=4,linear=7,relu=0" names a
// network family and its layer counts, so sweeps and studies can vary architecture like any other
// parameter. Parsing and the layer widths need no LibTorch; building the modules does
// (network.hpp).
#include <string>
#include <vector>

namespace greentune::nn {

enum class Family { densepoly, denselinear, simplecnn };

struct ModelSpec {
  Family family = Family::simplecnn;
  int conv_layers = 2;     // simplecnn only
  int linear_layers = 3;   // hidden linear layers + the 10-way output layer
  bool relu = true;        // simplecnn: ReLU after each conv block's batch norm
  bool batch_norm = true;  // simplecnn: BatchNorm2d in each conv block (the paper has it)
  // Activation between linear layers. The paper has none (its linear stacks collapse to one affine
  // map); "relu" is offered for users who want a real MLP.
  std::string linear_activation = "none";

  std::string to_string() const;  // canonical form, every option spelled out
};

// Throws InputError naming the spec, the key and the allowed values.
ModelSpec parse_model_spec(const std::string& spec);

// Widths of the hidden linear layers (excluding the output layer), from the input image size as
// the paper's code computes them: DensePoly max(floor(D / 2^k), C), DenseLinear
// max(floor(D - k * D / N), C) for k = 1..N-1, where D = C*H*W and C the input channels.
std::vector<int> hidden_widths(const ModelSpec& spec, int channels, int height, int width);

// Output channels of conv block k (0-based): C * 3^(k+1).
int conv_channels(int input_channels, int block);

}  // namespace greentune::nn
