#include "greentune/nn/fast_layers.hpp"

#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "greentune/nn/batch_norm_kernels.hpp"
#include "greentune/nn/batch_norm_math.hpp"
#include "greentune/nn/chunks.hpp"
#include "greentune/nn/conv3x3_kernels.hpp"
#include "greentune/nn/max_pool_kernels.hpp"
#include "greentune/nn/relu_kernels.hpp"

namespace greentune::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

bool is_cpu_float_nchw(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.dim() == 4 &&
         t.is_contiguous();
}

struct Conv3x3Function : public torch::autograd::Function<Conv3x3Function> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    const int64_t n = input.size(0), in_ch = input.size(1), h = input.size(2), w = input.size(3);
    const int64_t out_ch = weight.size(0);
    const auto weight_c = weight.contiguous();
    const auto bias_c = bias.contiguous();
    auto output = torch::empty({n, out_ch, h, w}, input.options());
    const kernels::Conv3x3Geometry g(h, w);
    const float* x = input.data_ptr<float>();
    const float* k = weight_c.data_ptr<float>();
    const float* b = bias_c.data_ptr<float>();
    float* y = output.data_ptr<float>();
    at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> padded(static_cast<size_t>(in_ch * g.plane_stride));
      std::vector<float> wide(static_cast<size_t>(out_ch * g.wide_count));
      for (int64_t i = begin; i < end; ++i) {
        kernels::pad_planes(g, x + i * in_ch * h * w, in_ch, padded.data());
        kernels::conv3x3_wide(g, padded.data(), in_ch, k, b, out_ch, wide.data());
        kernels::unwide_planes(g, wide.data(), out_ch, y + i * out_ch * h * w);
      }
    });
    ctx->save_for_backward({input, weight_c});
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& input = saved[0];
    const auto& weight = saved[1];
    if (!grads[0].defined()) return {torch::Tensor(), torch::Tensor(), torch::Tensor()};
    const auto grad_output = grads[0].contiguous();
    const int64_t n = input.size(0), in_ch = input.size(1), h = input.size(2), w = input.size(3);
    const int64_t out_ch = weight.size(0);
    const bool want_input = ctx->needs_input_grad(0);
    const bool want_params = ctx->needs_input_grad(1) || ctx->needs_input_grad(2);
    const kernels::Conv3x3Geometry g(h, w);

    torch::Tensor grad_input;
    std::vector<float> flipped;
    if (want_input) {
      grad_input = torch::empty_like(input);
      flipped.resize(static_cast<size_t>(out_ch * in_ch * 9));
      kernels::flip_weights(weight.data_ptr<float>(), out_ch, in_ch, flipped.data());
    }
    const int64_t params = out_ch * in_ch * 9 + out_ch;
    std::vector<double> partial(static_cast<size_t>(want_params ? chunk_count(n) * params : 0));
    const float* x = input.data_ptr<float>();
    const float* dy = grad_output.data_ptr<float>();
    float* dx = want_input ? grad_input.data_ptr<float>() : nullptr;
    for_each_chunk(n, [&](int64_t first, int64_t count, int64_t chunk) {
      std::vector<float> padded_grad(static_cast<size_t>(out_ch * g.plane_stride));
      std::vector<float> padded_input, wide, sums;
      if (want_params) {
        padded_input.resize(static_cast<size_t>(in_ch * g.plane_stride));
        sums.assign(static_cast<size_t>(params), 0.0f);
      }
      if (want_input) wide.resize(static_cast<size_t>(in_ch * g.wide_count));
      for (int64_t i = first; i < first + count; ++i) {
        kernels::pad_planes(g, dy + i * out_ch * h * w, out_ch, padded_grad.data());
        if (want_params) {
          kernels::pad_planes(g, x + i * in_ch * h * w, in_ch, padded_input.data());
          kernels::conv3x3_weight_grad(g, padded_input.data(), in_ch, padded_grad.data(), out_ch,
                                       sums.data(), sums.data() + out_ch * in_ch * 9);
        }
        if (want_input) {
          kernels::conv3x3_wide(g, padded_grad.data(), out_ch, flipped.data(), nullptr, in_ch,
                                wide.data());
          kernels::unwide_planes(g, wide.data(), in_ch, dx + i * in_ch * h * w);
        }
      }
      for (int64_t p = 0; p < (want_params ? params : 0); ++p) {
        partial[static_cast<size_t>(chunk * params + p)] = sums[static_cast<size_t>(p)];
      }
    });
    torch::Tensor grad_weight, grad_bias;
    if (want_params) {
      const auto total = sum_chunks(partial, params);
      grad_weight = torch::empty_like(weight);
      grad_bias = torch::empty({out_ch}, weight.options());
      float* gw = grad_weight.data_ptr<float>();
      float* gb = grad_bias.data_ptr<float>();
      for (int64_t p = 0; p < out_ch * in_ch * 9; ++p) gw[p] = static_cast<float>(total[p]);
      for (int64_t c = 0; c < out_ch; ++c) {
        gb[c] = static_cast<float>(total[out_ch * in_ch * 9 + c]);
      }
    }
    return {grad_input, grad_weight, grad_bias};
  }
};

struct BatchNormTrainFunction : public torch::autograd::Function<BatchNormTrainFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               torch::Tensor running_mean, torch::Tensor running_var,
                               double momentum, double eps) {
    const int64_t n = input.size(0), channels = input.size(1);
    const int64_t size = input.size(2) * input.size(3);
    const int64_t image = channels * size;
    const auto stats =
        batch_norm_statistics(input, weight, bias, running_mean, running_var, momentum, eps);
    const float* x = input.data_ptr<float>();
    auto output = torch::empty_like(input);
    float* y = output.data_ptr<float>();
    for_each_chunk(n, [&](int64_t first, int64_t images, int64_t) {
      kernels::batch_norm_affine(x + first * image, images, channels, size, stats.scale.data(),
                                 stats.shift.data(), y + first * image);
    });
    ctx->save_for_backward({input, weight.contiguous(), stats.mean, stats.invstd});
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &input = saved[0], &weight = saved[1], &mean = saved[2], &invstd = saved[3];
    tensor_list result(7);
    if (!grads[0].defined()) return result;
    const auto grad_output = grads[0].contiguous();
    const int64_t n = input.size(0), channels = input.size(1);
    const int64_t size = input.size(2) * input.size(3);
    const int64_t image = channels * size;
    const float* x = input.data_ptr<float>();
    const float* dy = grad_output.data_ptr<float>();
    const float* mean_f = mean.data_ptr<float>();

    std::vector<double> table(static_cast<size_t>(chunk_count(n) * 2 * channels), 0.0);
    for_each_chunk(n, [&](int64_t first, int64_t images, int64_t chunk) {
      double* row = table.data() + chunk * 2 * channels;
      kernels::batch_norm_grad_sums(dy + first * image, x + first * image, images, channels, size,
                                    mean_f, row, row + channels);
    });
    auto g = batch_norm_gradients(sum_chunks(table, 2 * channels), mean, invstd, weight,
                                  static_cast<double>(n * size), ctx->needs_input_grad(1),
                                  ctx->needs_input_grad(2), ctx->needs_input_grad(0));
    result[1] = g.weight;
    result[2] = g.bias;
    if (ctx->needs_input_grad(0)) {
      result[0] = torch::empty_like(input);
      float* dx = result[0].data_ptr<float>();
      for_each_chunk(n, [&](int64_t first, int64_t images, int64_t) {
        kernels::batch_norm_input_grad(dy + first * image, x + first * image, images, channels,
                                       size, g.a.data(), g.b.data(), g.k.data(),
                                       dx + first * image);
      });
    }
    return result;
  }
};

// Elements per task: large enough that a thread's share is worth starting it for.
constexpr int64_t kElementGrain = 1 << 16;

struct ReluFunction : public torch::autograd::Function<ReluFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input) {
    auto output = torch::empty_like(input);
    const float* x = input.data_ptr<float>();
    float* y = output.data_ptr<float>();
    at::parallel_for(0, input.numel(), kElementGrain, [&](int64_t begin, int64_t end) {
      kernels::relu(x + begin, end - begin, y + begin);
    });
    ctx->save_for_backward({output});
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto output = ctx->get_saved_variables()[0];
    const auto grad_output = grads[0].contiguous();
    auto grad_input = torch::empty_like(output);
    const float* y = output.data_ptr<float>();
    const float* dy = grad_output.data_ptr<float>();
    float* dx = grad_input.data_ptr<float>();
    at::parallel_for(0, output.numel(), kElementGrain, [&](int64_t begin, int64_t end) {
      kernels::relu_backward(y + begin, dy + begin, end - begin, dx + begin);
    });
    return {grad_input};
  }
};

struct MaxPool2x2Function : public torch::autograd::Function<MaxPool2x2Function> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input) {
    const int64_t n = input.size(0), channels = input.size(1), h = input.size(2), w = input.size(3);
    auto output = torch::empty({n, channels, h / 2, w / 2}, input.options());
    auto where = torch::empty({n, channels, h / 2, w / 2}, input.options().dtype(torch::kUInt8));
    const float* x = input.data_ptr<float>();
    float* y = output.data_ptr<float>();
    uint8_t* at = where.data_ptr<uint8_t>();
    const int64_t in_plane = h * w, out_plane = (h / 2) * (w / 2);
    at::parallel_for(0, n * channels, 16, [&](int64_t begin, int64_t end) {
      kernels::max_pool_2x2(x + begin * in_plane, end - begin, h, w, y + begin * out_plane,
                            at + begin * out_plane);
    });
    ctx->save_for_backward({where});
    ctx->saved_data["h"] = h;
    ctx->saved_data["w"] = w;
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto where = ctx->get_saved_variables()[0];
    const int64_t h = ctx->saved_data["h"].toInt(), w = ctx->saved_data["w"].toInt();
    const auto grad_output = grads[0].contiguous();
    const int64_t planes = grad_output.size(0) * grad_output.size(1);
    auto grad_input =
        torch::empty({grad_output.size(0), grad_output.size(1), h, w}, grad_output.options());
    const float* dy = grad_output.data_ptr<float>();
    const uint8_t* at = where.data_ptr<uint8_t>();
    float* dx = grad_input.data_ptr<float>();
    const int64_t in_plane = h * w, out_plane = (h / 2) * (w / 2);
    at::parallel_for(0, planes, 16, [&](int64_t begin, int64_t end) {
      kernels::max_pool_2x2_backward(dy + begin * out_plane, at + begin * out_plane, end - begin, h,
                                     w, dx + begin * in_plane);
    });
    return {grad_input};
  }
};

}  // namespace

FastConv2dImpl::FastConv2dImpl(int64_t in_channels_, int64_t out_channels_)
    : in_channels(in_channels_), out_channels(out_channels_) {
  reset();
}

void FastConv2dImpl::reset() {
  // As torch::nn::Conv2d: Kaiming-uniform weights (a = sqrt(5)), bias uniform in
  // +-1/sqrt(fan in).
  weight = register_parameter("weight", torch::empty({out_channels, in_channels, 3, 3}));
  bias = register_parameter("bias", torch::empty({out_channels}));
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_channels * 9));
  bias.uniform_(-bound, bound);
}

void FastConv2dImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Conv2d(" << in_channels << ", " << out_channels
         << ", kernel_size=[3, 3], stride=[1, 1], padding=[1, 1])";
}

bool FastConv2dImpl::uses_own_kernel(const torch::Tensor& input) const {
  // The direct kernel does in_channels x out_channels passes over each plane; with many channels
  // on small planes LibTorch's GEMM-based convolution does better.
  return in_channels <= 32 && out_channels <= 32 && is_cpu_float_nchw(input) &&
         input.size(1) == in_channels && weight.device().is_cpu() &&
         weight.scalar_type() == torch::kFloat32;
}

torch::Tensor FastConv2dImpl::forward(const torch::Tensor& input) {
  if (!uses_own_kernel(input)) return torch::conv2d(input, weight, bias, 1, 1);
  return Conv3x3Function::apply(input, weight, bias);
}

FastBatchNorm2dImpl::FastBatchNorm2dImpl(const torch::nn::BatchNormOptions& options_)
    : options(options_) {
  reset();
}

void FastBatchNorm2dImpl::reset() {
  const int64_t features = options.num_features();
  if (options.affine()) {
    weight = register_parameter("weight", torch::ones({features}));
    bias = register_parameter("bias", torch::zeros({features}));
  } else {
    weight = register_parameter("weight", torch::Tensor(), /*requires_grad=*/false);
    bias = register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
  }
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", torch::zeros({features}));
    running_var = register_buffer("running_var", torch::ones({features}));
    num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
  } else {
    running_mean = register_buffer("running_mean", torch::Tensor());
    running_var = register_buffer("running_var", torch::Tensor());
    num_batches_tracked = register_buffer("num_batches_tracked", torch::Tensor());
  }
}

bool FastBatchNorm2dImpl::uses_own_kernel(const torch::Tensor& input) const {
  return is_training() && options.affine() && options.track_running_stats() &&
         options.momentum().has_value() && is_cpu_float_nchw(input) &&
         input.size(1) == options.num_features() && weight.device().is_cpu() &&
         input.size(0) * input.size(2) * input.size(3) > 1;
}

double FastBatchNorm2dImpl::count_batch() {
  // As torch::nn::BatchNorm2d: count the batch, and without a momentum average cumulatively.
  double factor = options.momentum().value_or(0.0);
  if (is_training() && options.track_running_stats() && num_batches_tracked.defined()) {
    torch::NoGradGuard no_grad;
    num_batches_tracked += 1;
    if (!options.momentum()) factor = 1.0 / num_batches_tracked.item<double>();
  }
  return factor;
}

torch::Tensor FastBatchNorm2dImpl::forward(const torch::Tensor& input) {
  TORCH_CHECK(input.dim() == 4, "expected 4D input (got ", input.dim(), "D input)");
  const double factor = count_batch();
  if (uses_own_kernel(input)) {
    return BatchNormTrainFunction::apply(input, weight, bias, running_mean, running_var, factor,
                                         options.eps());
  }
  namespace F = torch::nn::functional;
  return F::batch_norm(input, running_mean, running_var,
                       F::BatchNormFuncOptions()
                           .weight(weight)
                           .bias(bias)
                           .training(is_training() || !options.track_running_stats())
                           .momentum(factor)
                           .eps(options.eps()));
}

void FastBatchNorm2dImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::BatchNorm2d(" << options.num_features() << ", eps=" << options.eps()
         << ", momentum=";
  if (options.momentum()) {
    stream << *options.momentum();
  } else {
    stream << "None";
  }
  stream << ", affine=" << (options.affine() ? "true" : "false")
         << ", track_running_stats=" << (options.track_running_stats() ? "true" : "false") << ")";
}

torch::Tensor FastReLUImpl::forward(const torch::Tensor& input) {
  if (!(input.device().is_cpu() && input.scalar_type() == torch::kFloat32 &&
        input.is_contiguous())) {
    return torch::relu(input);
  }
  return ReluFunction::apply(input);
}

torch::Tensor MaxPool2x2Impl::forward(const torch::Tensor& input) {
  if (!is_cpu_float_nchw(input)) return torch::max_pool2d(input, {2, 2}, {2, 2});
  return MaxPool2x2Function::apply(input);
}

}  // namespace greentune::nn
