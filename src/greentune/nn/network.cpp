#include "greentune/nn/network.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include "greentune/common/error.hpp"
#include "greentune/nn/trainer.hpp"

namespace greentune::nn {
namespace {

// MaxPool2d(2, stride 2) for contiguous float NCHW tensors on the CPU. LibTorch 1.13's NCHW
// max_pool2d_with_indices kernel took a third of a SimpleCNN batch here (9 ms for 512x3x28x28);
// this one is a plain 2x2 scan, memory-bound. Same results as MaxPool2d, ties included: the first
// maximum in window order wins and NaN propagates, so outputs and gradients are identical.
struct MaxPool2x2Function : public torch::autograd::Function<MaxPool2x2Function> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input) {
    const auto x = input.contiguous();
    const int64_t planes = x.size(0) * x.size(1), h = x.size(2), w = x.size(3);
    const int64_t oh = h / 2, ow = w / 2;
    auto out = torch::empty({x.size(0), x.size(1), oh, ow}, x.options());
    auto where = torch::empty({x.size(0), x.size(1), oh, ow}, x.options().dtype(torch::kUInt8));
    const float* in_data = x.data_ptr<float>();
    float* out_data = out.data_ptr<float>();
    uint8_t* where_data = where.data_ptr<uint8_t>();
    at::parallel_for(0, planes, 16, [&](int64_t begin, int64_t end) {
      // Two passes per output row, each a simple loop the compiler vectorises: the larger of each
      // vertical pair, then of each horizontal pair of those. Ties go to the first element in
      // window order (0,0), (0,1), (1,0), (1,1), as in MaxPool2d; NaN propagates.
      std::vector<float> column_max(static_cast<size_t>(2 * ow));
      std::vector<uint8_t> column_at(static_cast<size_t>(2 * ow));
      float* __restrict vm = column_max.data();
      uint8_t* __restrict vi = column_at.data();
      for (int64_t p = begin; p < end; ++p) {
        const float* plane = in_data + p * h * w;
        for (int64_t i = 0; i < oh; ++i) {
          const float* __restrict r0 = plane + 2 * i * w;
          const float* __restrict r1 = r0 + w;
          for (int64_t x = 0; x < 2 * ow; ++x) {
            const float a = r0[x], c = r1[x];
            const bool take = (c > a) | (c != c);
            vm[x] = take ? c : a;
            vi[x] = take ? 2 : 0;
          }
          float* __restrict orow = out_data + p * oh * ow + i * ow;
          uint8_t* __restrict krow = where_data + p * oh * ow + i * ow;
          for (int64_t j = 0; j < ow; ++j) {
            const float left = vm[2 * j], right = vm[2 * j + 1];
            const uint8_t left_at = vi[2 * j], right_at = static_cast<uint8_t>(vi[2 * j + 1] + 1);
            const bool take =
                (right > left) | (right != right) | ((right == left) & (right_at < left_at));
            orow[j] = take ? right : left;
            krow[j] = take ? right_at : left_at;
          }
        }
      }
    });
    ctx->save_for_backward({where});
    ctx->saved_data["h"] = h;
    ctx->saved_data["w"] = w;
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto where = ctx->get_saved_variables()[0];
    const int64_t h = ctx->saved_data["h"].toInt(), w = ctx->saved_data["w"].toInt();
    const auto g = grads[0].contiguous();
    const int64_t planes = g.size(0) * g.size(1), oh = g.size(2), ow = g.size(3);
    auto grad_input = torch::zeros({g.size(0), g.size(1), h, w}, g.options());
    const float* g_data = g.data_ptr<float>();
    const uint8_t* where_data = where.data_ptr<uint8_t>();
    float* gi_data = grad_input.data_ptr<float>();
    at::parallel_for(0, planes, 16, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        float* plane = gi_data + p * h * w;
        const float* gp = g_data + p * oh * ow;
        const uint8_t* k = where_data + p * oh * ow;
        for (int64_t i = 0; i < oh; ++i) {
          for (int64_t j = 0; j < ow; ++j) {
            const int64_t at = k[i * ow + j];
            plane[(2 * i + at / 2) * w + 2 * j + at % 2] = gp[i * ow + j];
          }
        }
      }
    });
    return {grad_input};
  }
};

}  // namespace

torch::Tensor MaxPool2x2Impl::forward(const torch::Tensor& input) {
  if (input.device().is_cpu() && input.scalar_type() == torch::kFloat32 && input.dim() == 4) {
    return MaxPool2x2Function::apply(input);
  }
  return torch::max_pool2d(input, {2, 2}, {2, 2});
}

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
      net->push_back(tnn::Conv2d(tnn::Conv2dOptions(c, out, 3).stride(1).padding(1)));
      if (spec.batch_norm) net->push_back(tnn::BatchNorm2d(out));
      if (spec.relu) net->push_back(tnn::ReLU());
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
    net->push_back(tnn::Linear(features, width_k));
    if (spec.linear_activation == "relu") net->push_back(tnn::ReLU());
    features = width_k;
  }
  net->push_back(tnn::Linear(features, classes));
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
