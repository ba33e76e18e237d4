#include "greentune/nn/max_pool_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "greentune/nn/simd.hpp"

namespace greentune::nn::kernels {
namespace {

using i8 = int32_t __attribute__((vector_size(32)));
using u8x8 = uint8_t __attribute__((vector_size(8)));

// Planes whose rows hold at least one vector and whose sides are even are pooled with vectors:
// first the maximum of each vertical pair (rows 2R and 2R+1, a contiguous row at a time), then of
// each horizontal pair of those, which are adjacent in the flattened plane. Vector loops end with
// one overlapping vector instead of a scalar tail; recomputing a few outputs is harmless.
bool vector_shape(int64_t h, int64_t w) {
  return h % 2 == 0 && w % 2 == 0 && w >= kLanes;
}

// Start of each vector over [0, n) (n >= kLanes): steps of kLanes, the last flush with the end.
GREENTUNE_SIMD_INLINE int64_t vector_start(int64_t i, int64_t n) {
  return std::min(i, n - kLanes);
}

// The sequential MaxPool2d rule for one window, any shape.
GREENTUNE_SIMD_INLINE void pool_window(const float* r0, const float* r1, int64_t j, float& out,
                                       uint8_t& at) {
  const float v[4] = {r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1]};
  float m = v[0];
  uint8_t k = 0;
  for (uint8_t i = 1; i < 4; ++i) {
    if (v[i] > m || v[i] != v[i]) {
      m = v[i];
      k = i;
    }
  }
  out = m;
  at = k;
}

GREENTUNE_SIMD_INLINE void max_pool_plane_vector(const float* x, int64_t h, int64_t w, float* y,
                                                 uint8_t* where, float* vmax, int32_t* vat) {
  const int64_t oh = h / 2, ow = w / 2, outputs = oh * ow;
  for (int64_t r = 0; r < oh; ++r) {
    const float* top = x + 2 * r * w;
    const float* bottom = top + w;
    for (int64_t i = 0; i < w; i += kLanes) {
      const int64_t s = vector_start(i, w);
      const f8 a = load8(top + s), c = load8(bottom + s);
      const i8 take = (c > a) | (c != c);
      store8(vmax + r * w + s, take ? c : a);
      const i8 at = take ? i8{} + 2 : i8{};
      std::memcpy(vat + r * w + s, &at, sizeof at);
    }
  }
  const i8 even = {0, 2, 4, 6, 8, 10, 12, 14}, odd = even + 1;
  for (int64_t i = 0; i < outputs; i += kLanes) {
    const int64_t k = vector_start(i, outputs);
    const f8 v0 = load8(vmax + 2 * k), v1 = load8(vmax + 2 * k + kLanes);
    i8 a0, a1;
    std::memcpy(&a0, vat + 2 * k, sizeof a0);
    std::memcpy(&a1, vat + 2 * k + kLanes, sizeof a1);
    const f8 left = __builtin_shuffle(v0, v1, even), right = __builtin_shuffle(v0, v1, odd);
    const i8 left_at = __builtin_shuffle(a0, a1, even),
             right_at = __builtin_shuffle(a0, a1, odd) + 1;
    // NaN: the later one in window order; otherwise the larger, ties to the earlier.
    const i8 take = (right > left) | ((right != right) & ((left == left) | (right_at > left_at))) |
                    ((right == left) & (right_at < left_at));
    store8(y + k, take ? right : left);
    const u8x8 at = __builtin_convertvector(take ? right_at : left_at, u8x8);
    std::memcpy(where + k, &at, sizeof at);
  }
}

GREENTUNE_SIMD_INLINE void max_pool_2x2_body(const float* x, int64_t planes, int64_t h, int64_t w,
                                             float* y, uint8_t* where) {
  const int64_t oh = h / 2, ow = w / 2;
  if (vector_shape(h, w) && oh * ow >= kLanes) {
    std::vector<float> vmax(static_cast<size_t>(oh * w));
    std::vector<int32_t> vat(static_cast<size_t>(oh * w));
    for (int64_t p = 0; p < planes; ++p) {
      max_pool_plane_vector(x + p * h * w, h, w, y + p * oh * ow, where + p * oh * ow, vmax.data(),
                            vat.data());
    }
    return;
  }
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t i = 0; i < oh; ++i) {
      const float* r0 = x + (p * h + 2 * i) * w;
      for (int64_t j = 0; j < ow; ++j) {
        const int64_t o = (p * oh + i) * ow + j;
        pool_window(r0, r0 + w, j, y[o], where[o]);
      }
    }
  }
}

GREENTUNE_SIMD_INLINE void max_pool_backward_plane_vector(const float* dy, const uint8_t* where,
                                                          int64_t h, int64_t w, float* dx,
                                                          float* top, float* bottom) {
  const int64_t oh = h / 2, ow = w / 2, outputs = oh * ow;
  // Each output's gradient to its window's four places, in the flattened layout of the
  // vertical-pair rows: entry 2k + t of `top` is row 2R, column 2j + t of the input, and so on.
  const i8 low = {0, 0, 1, 1, 2, 2, 3, 3}, high = low + 4;
  const i8 parity = {0, 1, 0, 1, 0, 1, 0, 1};
  for (int64_t i = 0; i < outputs; i += kLanes) {
    const int64_t k = vector_start(i, outputs);
    const f8 g = load8(dy + k);
    u8x8 bytes;
    std::memcpy(&bytes, where + k, sizeof bytes);
    const i8 at = __builtin_convertvector(bytes, i8);
    const f8 g_low = __builtin_shuffle(g, low), g_high = __builtin_shuffle(g, high);
    const i8 at_low = __builtin_shuffle(at, low), at_high = __builtin_shuffle(at, high);
    store8(top + 2 * k, at_low == parity ? g_low : f8{});
    store8(top + 2 * k + kLanes, at_high == parity ? g_high : f8{});
    store8(bottom + 2 * k, at_low == parity + 2 ? g_low : f8{});
    store8(bottom + 2 * k + kLanes, at_high == parity + 2 ? g_high : f8{});
  }
  for (int64_t r = 0; r < oh; ++r) {
    copy_row(top + r * w, w, dx + 2 * r * w);
    copy_row(bottom + r * w, w, dx + (2 * r + 1) * w);
  }
}

GREENTUNE_SIMD_INLINE void max_pool_2x2_backward_body(const float* dy, const uint8_t* where,
                                                      int64_t planes, int64_t h, int64_t w,
                                                      float* dx) {
  const int64_t oh = h / 2, ow = w / 2;
  if (vector_shape(h, w) && oh * ow >= kLanes) {
    std::vector<float> top(static_cast<size_t>(oh * w)), bottom(static_cast<size_t>(oh * w));
    for (int64_t p = 0; p < planes; ++p) {
      max_pool_backward_plane_vector(dy + p * oh * ow, where + p * oh * ow, h, w, dx + p * h * w,
                                     top.data(), bottom.data());
    }
    return;
  }
  for (int64_t p = 0; p < planes; ++p) {
    float* plane = dx + p * h * w;
    std::fill(plane, plane + h * w, 0.0f);
    for (int64_t i = 0; i < oh; ++i) {
      for (int64_t j = 0; j < ow; ++j) {
        const int64_t o = (p * oh + i) * ow + j;
        const int64_t k = where[o];
        plane[(2 * i + k / 2) * w + 2 * j + k % 2] = dy[o];
      }
    }
  }
}

}  // namespace

GREENTUNE_SIMD_DISPATCH(max_pool_2x2,
                        (const float* x, int64_t planes, int64_t h, int64_t w, float* y,
                         uint8_t* where),
                        (x, planes, h, w, y, where))

GREENTUNE_SIMD_DISPATCH(max_pool_2x2_backward,
                        (const float* dy, const uint8_t* where, int64_t planes, int64_t h,
                         int64_t w, float* dx),
                        (dy, where, planes, h, w, dx))

}  // namespace greentune::nn::kernels
