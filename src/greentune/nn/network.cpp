#include "greentune/nn/network.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include "greentune/common/error.hpp"
#include "greentune/nn/trainer.hpp"

namespace greentune::nn {

torch::nn::Sequential build_network(const ModelSpec& spec, int channels, int height, int width,
                                    int classes) {
  namespace tnn = torch::nn;
  tnn::Sequential net;
  int c = channels, h = height, w = width;
  if (spec.family == Family::simplecnn) {
    for (int k = 0; k < spec.conv_layers; ++k) {
      if (h < 2 || w < 2) {
        throw InputError(fmt::format(
            "model spec '{}': {} conv blocks halve a {}x{} image below 1x1; use conv<={}",
            spec.to_string(), spec.conv_layers, height, width, k));
      }
      const int out = conv_channels(channels, k);
      net->push_back(FastConv2d(c, out));
      if (spec.batch_norm) net->push_back(FastBatchNorm2d(out));
      if (spec.relu) net->push_back(FastReLU());
      net->push_back(MaxPool2x2());
      c = out;
      h /= 2;
      w /= 2;
    }
  }
  net->push_back(tnn::Flatten());
  int64_t features = static_cast<int64_t>(c) * h * w;
  // Widths come from the input image, not the flattened conv output, as in the paper's code.
  for (int width_k : hidden_widths(spec, channels, height, width)) {
    net->push_back(FastLinear(features, width_k));
    if (spec.linear_activation == "relu") net->push_back(FastReLU());
    features = width_k;
  }
  net->push_back(FastLinear(features, classes));
  return net;
}

std::string layer_type(const std::string& module_name) {
  if (module_name.find("Conv") != std::string::npos) return "conv";
  if (module_name.find("BatchNorm") != std::string::npos) return "batchnorm";
  if (module_name.find("ReLU") != std::string::npos) return "relu";
  if (module_name.find("Pool") != std::string::npos) return "pool";
  if (module_name.find("Flatten") != std::string::npos) return "flatten";
  if (module_name.find("Linear") != std::string::npos) return "linear";
  return module_name;
}

int64_t count_parameters(const std::string& model_spec, int channels, int height, int width) {
  auto net = build_network(parse_model_spec(model_spec), channels, height, width);
  int64_t count = 0;
  for (const auto& p : net->parameters()) count += p.numel();
  return count;
}

}  // namespace greentune::nn
