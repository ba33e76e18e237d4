#include "greentune/nn/fused_block.hpp"

#include <torch/torch.h>

#include <vector>

#include "greentune/nn/batch_norm_kernels.hpp"
#include "greentune/nn/batch_norm_math.hpp"
#include "greentune/nn/chunks.hpp"
#include "greentune/nn/max_pool_kernels.hpp"
#include "greentune/nn/relu_kernels.hpp"

namespace greentune::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct Shape {
  int64_t n, channels, h, w;
  int64_t plane() const { return h * w; }
  int64_t image() const { return channels * h * w; }
  int64_t pooled_image() const { return channels * (h / 2) * (w / 2); }
};

Shape shape_of(const torch::Tensor& t) {
  return {t.size(0), t.size(1), t.size(2), t.size(3)};
}

// One image's ReLU output, relu(x * scale + shift), into `relu_out`.
void relu_of_norm(const Shape& s, const float* x, const float* scale, const float* shift,
                  float* relu_out) {
  kernels::batch_norm_affine(x, 1, s.channels, s.plane(), scale, shift, relu_out);
  kernels::relu(relu_out, s.image(), relu_out);
}

// One image's gradient at the batch norm output, as the pool and ReLU layers pass it back.
void norm_output_grad(const Shape& s, const float* x, const float* scale, const float* shift,
                      const float* pooled_grad, const uint8_t* where, float* relu_out,
                      float* grad) {
  relu_of_norm(s, x, scale, shift, relu_out);
  kernels::max_pool_2x2_backward(pooled_grad, where, s.channels, s.h, s.w, grad);
  kernels::relu_backward(relu_out, grad, s.image(), grad);
}

struct BatchNormReluPoolFunction : public torch::autograd::Function<BatchNormReluPoolFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               torch::Tensor running_mean, torch::Tensor running_var,
                               double momentum, double eps) {
    const Shape s = shape_of(input);
    const auto stats =
        batch_norm_statistics(input, weight, bias, running_mean, running_var, momentum, eps);
    auto output = torch::empty({s.n, s.channels, s.h / 2, s.w / 2}, input.options());
    auto where = torch::empty(output.sizes(), input.options().dtype(torch::kUInt8));
    const float* x = input.data_ptr<float>();
    float* y = output.data_ptr<float>();
    uint8_t* at = where.data_ptr<uint8_t>();
    at::parallel_for(0, s.n, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> relu_out(static_cast<size_t>(s.image()));
      for (int64_t i = begin; i < end; ++i) {
        relu_of_norm(s, x + i * s.image(), stats.scale.data(), stats.shift.data(), relu_out.data());
        kernels::max_pool_2x2(relu_out.data(), s.channels, s.h, s.w, y + i * s.pooled_image(),
                              at + i * s.pooled_image());
      }
    });
    auto scale = torch::from_blob(const_cast<float*>(stats.scale.data()), {s.channels}).clone();
    auto shift = torch::from_blob(const_cast<float*>(stats.shift.data()), {s.channels}).clone();
    ctx->save_for_backward(
        {input, weight.contiguous(), stats.mean, stats.invstd, scale, shift, where});
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &input = saved[0], &weight = saved[1], &mean = saved[2], &invstd = saved[3];
    const float* scale = saved[4].data_ptr<float>();
    const float* shift = saved[5].data_ptr<float>();
    const uint8_t* where = saved[6].data_ptr<uint8_t>();
    tensor_list result(7);
    if (!grads[0].defined()) return result;
    const auto grad_output = grads[0].contiguous();
    const Shape s = shape_of(input);
    const float* x = input.data_ptr<float>();
    const float* dp = grad_output.data_ptr<float>();
    const int64_t image = s.image(), pooled = s.pooled_image();

    // Per image, the gradient at the batch norm output is rebuilt from the pooled gradient in a
    // buffer that stays in cache and summed there; it is kept (in the input gradient's memory)
    // for the input gradient, computed in place.
    const bool want_input = ctx->needs_input_grad(0);
    auto grad = torch::empty_like(input);
    float* dz = grad.data_ptr<float>();
    std::vector<double> table(static_cast<size_t>(chunk_count(s.n) * 2 * s.channels), 0.0);
    for_each_chunk(s.n, [&](int64_t first, int64_t images, int64_t chunk) {
      std::vector<float> relu_out(static_cast<size_t>(image));
      double* row = table.data() + chunk * 2 * s.channels;
      for (int64_t i = first; i < first + images; ++i) {
        norm_output_grad(s, x + i * image, scale, shift, dp + i * pooled, where + i * pooled,
                         relu_out.data(), dz + i * image);
        kernels::batch_norm_grad_sums(dz + i * image, x + i * image, 1, s.channels, s.plane(),
                                      mean.data_ptr<float>(), row, row + s.channels);
      }
    });
    auto g = batch_norm_gradients(sum_chunks(table, 2 * s.channels), mean, invstd, weight,
                                  static_cast<double>(s.n * s.plane()), ctx->needs_input_grad(1),
                                  ctx->needs_input_grad(2), want_input);
    result[1] = g.weight;
    result[2] = g.bias;
    if (want_input) {
      for_each_chunk(s.n, [&](int64_t first, int64_t images, int64_t) {
        kernels::batch_norm_input_grad(dz + first * image, x + first * image, images, s.channels,
                                       s.plane(), g.a.data(), g.b.data(), g.k.data(),
                                       dz + first * image);
      });
      result[0] = grad;
    }
    return result;
  }
};

}  // namespace

torch::Tensor batch_norm_relu_max_pool(FastBatchNorm2dImpl& norm, const torch::Tensor& input) {
  TORCH_CHECK(norm.uses_own_kernel(input), "batch_norm_relu_max_pool: not a CPU training batch");
  const double factor = norm.count_batch();
  return BatchNormReluPoolFunction::apply(input, norm.weight, norm.bias, norm.running_mean,
                                          norm.running_var, factor, norm.options.eps());
}

torch::Tensor forward_fusing_blocks(torch::nn::Sequential& net, const torch::Tensor& input) {
  torch::Tensor h = input;
  const size_t count = net->size();
  auto modules = net->begin();
  for (size_t i = 0; i < count; ++i) {
    auto* norm = net->ptr(i)->as<FastBatchNorm2dImpl>();
    if (norm && i + 2 < count && net->ptr(i + 1)->as<FastReLUImpl>() &&
        net->ptr(i + 2)->as<MaxPool2x2Impl>() && norm->uses_own_kernel(h)) {
      h = batch_norm_relu_max_pool(*norm, h);
      i += 2;
      continue;
    }
    h = modules[static_cast<std::ptrdiff_t>(i)].forward(h);
  }
  return h;
}

}  // namespace greentune::nn
