#pragma once
// Training-mode BatchNorm2d over contiguous NCHW float planes. LibTorch 1.13 parallelises its CPU
// batch norm over channels (3 or 9 here, so one thread did most of the work) and took ~10% of a
// SimpleCNN step; these kernels work plane by plane, so images can be split between threads. Sums
// are kept per plane in float vectors and added up in double, in a fixed order.
#include <cstdint>

namespace greentune::nn::kernels {

// sums[c] += the sum of plane c's values minus center[c] (center may be null: 0), squared when
// squares is set, for count planes of each of channels channels ([count][channels][size]).
void batch_norm_plane_sums(const float* x, int64_t count, int64_t channels, int64_t size,
                           const float* center, bool squares, double* sums);

// y = x * scale[c] + shift[c], plane by plane.
void batch_norm_affine(const float* x, int64_t count, int64_t channels, int64_t size,
                       const float* scale, const float* shift, float* y);

// sum_dy[c] += sum of dy, sum_dy_xmu[c] += sum of dy * (x - mean[c]).
void batch_norm_grad_sums(const float* dy, const float* x, int64_t count, int64_t channels,
                          int64_t size, const float* mean, double* sum_dy, double* sum_dy_xmu);

// dx = dy * a[c] + x * b[c] + k[c]: the input gradient of batch norm, linear in dy and x.
void batch_norm_input_grad(const float* dy, const float* x, int64_t count, int64_t channels,
                           int64_t size, const float* a, const float* b, const float* k, float* dx);

}  // namespace greentune::nn::kernels
