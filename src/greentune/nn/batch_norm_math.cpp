#include "greentune/nn/batch_norm_math.hpp"

#include <torch/torch.h>

#include <cmath>

#include "greentune/nn/batch_norm_kernels.hpp"
#include "greentune/nn/chunks.hpp"

namespace greentune::nn {

BatchNormStatistics batch_norm_statistics(const torch::Tensor& input, const torch::Tensor& weight,
                                          const torch::Tensor& bias, torch::Tensor& running_mean,
                                          torch::Tensor& running_var, double momentum, double eps) {
  const int64_t n = input.size(0), channels = input.size(1);
  const int64_t size = input.size(2) * input.size(3);
  const double count = static_cast<double>(n * size);
  const float* x = input.data_ptr<float>();
  const int64_t image = channels * size;

  auto channel_sums = [&](const float* center, bool squares) {
    std::vector<double> table(static_cast<size_t>(chunk_count(n) * channels), 0.0);
    for_each_chunk(n, [&](int64_t first, int64_t images, int64_t chunk) {
      kernels::batch_norm_plane_sums(x + first * image, images, channels, size, center, squares,
                                     table.data() + chunk * channels);
    });
    return sum_chunks(table, channels);
  };
  BatchNormStatistics stats;
  stats.mean = torch::empty({channels}, input.options());
  stats.invstd = torch::empty({channels}, input.options());
  float* mean_f = stats.mean.data_ptr<float>();
  float* invstd_f = stats.invstd.data_ptr<float>();
  const auto sums = channel_sums(nullptr, false);
  for (int64_t c = 0; c < channels; ++c) mean_f[c] = static_cast<float>(sums[c] / count);
  const auto squares = channel_sums(mean_f, true);

  stats.scale.resize(static_cast<size_t>(channels));
  stats.shift.resize(static_cast<size_t>(channels));
  const auto weight_c = weight.contiguous();
  const float* gamma = weight_c.data_ptr<float>();
  const auto bias_c = bias.contiguous();
  const float* beta = bias_c.data_ptr<float>();
  torch::NoGradGuard no_grad;
  float* rm = running_mean.data_ptr<float>();
  float* rv = running_var.data_ptr<float>();
  for (int64_t c = 0; c < channels; ++c) {
    const double var = squares[c] / count;
    invstd_f[c] = static_cast<float>(1.0 / std::sqrt(var + eps));
    stats.scale[c] = invstd_f[c] * gamma[c];
    stats.shift[c] = beta[c] - mean_f[c] * stats.scale[c];
    rm[c] = static_cast<float>(momentum * mean_f[c] + (1 - momentum) * rm[c]);
    rv[c] = static_cast<float>(momentum * squares[c] / (count - 1) + (1 - momentum) * rv[c]);
  }
  return stats;
}

BatchNormGradients batch_norm_gradients(const std::vector<double>& sums, const torch::Tensor& mean,
                                        const torch::Tensor& invstd, const torch::Tensor& weight,
                                        double count, bool want_weight, bool want_bias,
                                        bool want_input) {
  const int64_t channels = mean.size(0);
  const float* mean_f = mean.data_ptr<float>();
  const float* invstd_f = invstd.data_ptr<float>();
  const float* gamma = weight.data_ptr<float>();
  BatchNormGradients grads;
  if (want_weight) {
    grads.weight = torch::empty({channels}, weight.options());
    float* gw = grads.weight.data_ptr<float>();
    for (int64_t c = 0; c < channels; ++c) {
      gw[c] = static_cast<float>(sums[channels + c] * invstd_f[c]);
    }
  }
  if (want_bias) {
    grads.bias = torch::empty({channels}, weight.options());
    float* gb = grads.bias.data_ptr<float>();
    for (int64_t c = 0; c < channels; ++c) gb[c] = static_cast<float>(sums[c]);
  }
  if (want_input) {
    grads.a.resize(static_cast<size_t>(channels));
    grads.b.resize(grads.a.size());
    grads.k.resize(grads.a.size());
    for (int64_t c = 0; c < channels; ++c) {
      const double is = invstd_f[c];
      grads.a[c] = static_cast<float>(is * gamma[c]);
      grads.b[c] = static_cast<float>(-gamma[c] * is * is * is * sums[channels + c] / count);
      grads.k[c] = static_cast<float>(-is * gamma[c] * sums[c] / count - mean_f[c] * grads.b[c]);
    }
  }
  return grads;
}

}  // namespace greentune::nn
