#include "greentune/nn/relu_kernels.hpp"

#include "greentune/nn/simd.hpp"

namespace greentune::nn::kernels {
namespace {

using i8 = int32_t __attribute__((vector_size(32)));

GREENTUNE_SIMD_INLINE void relu_body(const float* x, int64_t count, float* y) {
  int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    const f8 v = load8(x + i);
    store8(y + i, v < 0.0f ? f8{} : v);
  }
  for (; i < count; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

GREENTUNE_SIMD_INLINE void relu_backward_body(const float* y, const float* dy, int64_t count,
                                              float* dx) {
  int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    const i8 blocked = load8(y + i) <= 0.0f;
    store8(dx + i, blocked ? f8{} : load8(dy + i));
  }
  for (; i < count; ++i) dx[i] = y[i] <= 0.0f ? 0.0f : dy[i];
}

}  // namespace

GREENTUNE_SIMD_DISPATCH(relu, (const float* x, int64_t count, float* y), (x, count, y))

GREENTUNE_SIMD_DISPATCH(relu_backward, (const float* y, const float* dy, int64_t count, float* dx),
                        (y, dy, count, dx))

}  // namespace greentune::nn::kernels
