#include "greentune/nn/batch_norm_kernels.hpp"

#include "greentune/nn/simd.hpp"

namespace greentune::nn::kernels {

namespace {

GREENTUNE_SIMD_INLINE void batch_norm_plane_sums_body(const float* x, int64_t count,
                                                      int64_t channels, int64_t size,
                                                      const float* center, bool squares,
                                                      double* sums) {
  for (int64_t p = 0; p < count * channels; ++p) {
    const int64_t c = p % channels;
    const float* plane = x + p * size;
    const float m = center ? center[c] : 0.0f;
    f8 acc0 = f8{}, acc1 = f8{};
    int64_t i = 0;
    if (squares) {
      for (; i + 2 * kLanes <= size; i += 2 * kLanes) {
        const f8 d0 = load8(plane + i) - m, d1 = load8(plane + i + kLanes) - m;
        acc0 += d0 * d0;
        acc1 += d1 * d1;
      }
    } else {
      for (; i + 2 * kLanes <= size; i += 2 * kLanes) {
        acc0 += load8(plane + i) - m;
        acc1 += load8(plane + i + kLanes) - m;
      }
    }
    double total = static_cast<double>(sum_lanes(acc0 + acc1));
    for (; i < size; ++i) {
      const double d = static_cast<double>(plane[i] - m);
      total += squares ? d * d : d;
    }
    sums[c] += total;
  }
}

GREENTUNE_SIMD_INLINE void batch_norm_affine_body(const float* x, int64_t count, int64_t channels,
                                                  int64_t size, const float* scale,
                                                  const float* shift, float* y) {
  for (int64_t p = 0; p < count * channels; ++p) {
    const int64_t c = p % channels;
    const float a = scale[c], b = shift[c];
    const float* in = x + p * size;
    float* out = y + p * size;
    int64_t i = 0;
    for (; i + kLanes <= size; i += kLanes) store8(out + i, load8(in + i) * a + b);
    for (; i < size; ++i) out[i] = in[i] * a + b;
  }
}

GREENTUNE_SIMD_INLINE void batch_norm_grad_sums_body(const float* dy, const float* x, int64_t count,
                                                     int64_t channels, int64_t size,
                                                     const float* mean, double* sum_dy,
                                                     double* sum_dy_xmu) {
  for (int64_t p = 0; p < count * channels; ++p) {
    const int64_t c = p % channels;
    const float m = mean[c];
    const float* g = dy + p * size;
    const float* in = x + p * size;
    f8 s = f8{}, sx = f8{};
    int64_t i = 0;
    for (; i + kLanes <= size; i += kLanes) {
      const f8 d = load8(g + i);
      s += d;
      sx += d * (load8(in + i) - m);
    }
    double total = static_cast<double>(sum_lanes(s));
    double total_x = static_cast<double>(sum_lanes(sx));
    for (; i < size; ++i) {
      total += static_cast<double>(g[i]);
      total_x += static_cast<double>(g[i]) * static_cast<double>(in[i] - m);
    }
    sum_dy[c] += total;
    sum_dy_xmu[c] += total_x;
  }
}

GREENTUNE_SIMD_INLINE void batch_norm_input_grad_body(const float* dy, const float* x,
                                                      int64_t count, int64_t channels, int64_t size,
                                                      const float* a, const float* b,
                                                      const float* k, float* dx) {
  for (int64_t p = 0; p < count * channels; ++p) {
    const int64_t c = p % channels;
    const float ac = a[c], bc = b[c], kc = k[c];
    const float* g = dy + p * size;
    const float* in = x + p * size;
    float* out = dx + p * size;
    int64_t i = 0;
    for (; i + kLanes <= size; i += kLanes) {
      store8(out + i, load8(g + i) * ac + load8(in + i) * bc + kc);
    }
    for (; i < size; ++i) out[i] = g[i] * ac + in[i] * bc + kc;
  }
}

}  // namespace

GREENTUNE_SIMD_DISPATCH(batch_norm_plane_sums,
                        (const float* x, int64_t count, int64_t channels, int64_t size,
                         const float* center, bool squares, double* sums),
                        (x, count, channels, size, center, squares, sums))

GREENTUNE_SIMD_DISPATCH(batch_norm_affine,
                        (const float* x, int64_t count, int64_t channels, int64_t size,
                         const float* scale, const float* shift, float* y),
                        (x, count, channels, size, scale, shift, y))

GREENTUNE_SIMD_DISPATCH(batch_norm_grad_sums,
                        (const float* dy, const float* x, int64_t count, int64_t channels,
                         int64_t size, const float* mean, double* sum_dy, double* sum_dy_xmu),
                        (dy, x, count, channels, size, mean, sum_dy, sum_dy_xmu))

GREENTUNE_SIMD_DISPATCH(batch_norm_input_grad,
                        (const float* dy, const float* x, int64_t count, int64_t channels,
                         int64_t size, const float* a, const float* b, const float* k, float* dx),
                        (dy, x, count, channels, size, a, b, k, dx))

}  // namespace greentune::nn::kernels
