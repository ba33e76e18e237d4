#include "greentune/nn/fast_linear.hpp"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <vector>

namespace greentune::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Share `part` of `parts` of [0, total), boundaries on multiples of `align` (OpenBLAS's Haswell
// SGEMM works on blocks of 16 rows) where there is enough to split.
struct Range {
  int64_t begin, length;
};
Range share(int64_t total, int64_t part, int64_t parts, int64_t align) {
  const int64_t blocks = (total + align - 1) / align;
  const int64_t first = std::min(total, blocks * part / parts * align);
  const int64_t last = std::min(total, blocks * (part + 1) / parts * align);
  return {first, last - first};
}

constexpr int64_t kAlign = 16;

// f(part, parts) once on each of LibTorch's threads; the calls inside run single-threaded
// (at::parallel_for does not nest) and without autograd (grad mode is per thread).
template <typename F>
void on_each_thread(const F& f) {
  const int64_t parts = at::get_num_threads();
  at::parallel_for(0, parts, 1, [&](int64_t begin, int64_t end) {
    at::NoGradGuard no_grad;
    for (int64_t part = begin; part < end; ++part) f(part, parts);
  });
}

// Column sums of rows, each column summed in row order in double (as one thread or many).
void column_sums(const torch::Tensor& rows, int64_t first_column, int64_t columns, float* sums) {
  const int64_t n = rows.size(0), width = rows.size(1);
  const float* data = rows.data_ptr<float>() + first_column;
  std::vector<double> total(static_cast<size_t>(columns), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const float* row = data + i * width;
    for (int64_t c = 0; c < columns; ++c) total[c] += static_cast<double>(row[c]);
  }
  for (int64_t c = 0; c < columns; ++c) sums[c] = static_cast<float>(total[c]);
}

struct LinearFunction : public torch::autograd::Function<LinearFunction> {
  // Without a bias, `bias` is an empty placeholder (autograd takes no undefined inputs).
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               bool has_bias) {
    const auto x = input.detach();
    const auto w = weight.detach().contiguous();
    const auto b = has_bias ? bias.detach() : torch::Tensor();
    auto output = torch::empty({x.size(0), w.size(0)}, x.options());
    on_each_thread([&](int64_t part, int64_t parts) {
      const auto rows = share(x.size(0), part, parts, kAlign);
      if (rows.length == 0) return;
      auto out = output.narrow(0, rows.begin, rows.length);
      const auto in = x.narrow(0, rows.begin, rows.length);
      if (b.defined()) {
        at::addmm_out(out, b, in, w.t());
      } else {
        at::mm_out(out, in, w.t());
      }
    });
    ctx->save_for_backward({input, w});
    ctx->saved_data["has_bias"] = has_bias;
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto x = saved[0].detach(), w = saved[1].detach();
    if (!grads[0].defined()) return tensor_list(4);
    const auto dy = grads[0].contiguous();
    const bool want_input = ctx->needs_input_grad(0), want_weight = ctx->needs_input_grad(1);
    const bool want_bias = ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2);
    const int64_t n = x.size(0), out_features = w.size(0);
    torch::Tensor dx, dw, db;
    if (want_input) dx = torch::empty_like(x);
    if (want_weight) dw = torch::empty_like(w);
    if (want_bias) db = torch::empty({out_features}, w.options());
    // One parallel region: each thread takes its rows of dx and its output features of dw, db.
    on_each_thread([&](int64_t part, int64_t parts) {
      if (want_input) {
        const auto rows = share(n, part, parts, kAlign);
        if (rows.length > 0) {
          auto dx_rows = dx.narrow(0, rows.begin, rows.length);
          at::mm_out(dx_rows, dy.narrow(0, rows.begin, rows.length), w);
        }
      }
      const auto features = share(out_features, part, parts, kAlign);
      if (features.length == 0) return;
      const auto dy_features = dy.narrow(1, features.begin, features.length);
      if (want_weight) {
        auto dw_rows = dw.narrow(0, features.begin, features.length);
        at::mm_out(dw_rows, dy_features.t(), x);
      }
      if (want_bias) {
        column_sums(dy, features.begin, features.length, db.data_ptr<float>() + features.begin);
      }
    });
    return {dx, dw, db, torch::Tensor()};
  }
};

}  // namespace

bool FastLinearImpl::uses_own_kernel(const torch::Tensor& input) const {
  return input.defined() && input.dim() == 2 && input.device().is_cpu() &&
         input.scalar_type() == torch::kFloat32 && input.is_contiguous() &&
         input.size(1) == weight.size(1) && weight.device().is_cpu() &&
         weight.scalar_type() == torch::kFloat32 &&
         (!bias.defined() || (bias.device().is_cpu() && bias.scalar_type() == torch::kFloat32));
}

torch::Tensor FastLinearImpl::forward(const torch::Tensor& input) {
  if (!uses_own_kernel(input)) return torch::nn::LinearImpl::forward(input);
  if (!bias.defined()) return LinearFunction::apply(input, weight, torch::empty({0}), false);
  return LinearFunction::apply(input, weight, bias, true);
}

}  // namespace greentune::nn
