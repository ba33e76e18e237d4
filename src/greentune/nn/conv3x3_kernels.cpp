#include "greentune/nn/conv3x3_kernels.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "greentune/nn/simd.hpp"

namespace greentune::nn::kernels {
namespace {

// Outputs per block of the forward kernel: two vectors per output channel.
constexpr int64_t kBlock = 2 * kLanes;

int64_t round_up(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

std::array<int64_t, 9> tap_offsets(int64_t row) {
  std::array<int64_t, 9> offsets{};
  for (int64_t t = 0; t < 9; ++t) offsets[t] = (t / 3) * row + t % 3;
  return offsets;
}

// Output channels [co, co + CB) for every wide position: CB*2 accumulators stay in registers
// while every input channel and tap streams through.
template <int CB>
GREENTUNE_SIMD_INLINE void conv_block(const Conv3x3Geometry& g, const float* padded,
                                      int64_t in_channels, const float* weight, const float* bias,
                                      int64_t co, float* wide) {
  const auto offsets = tap_offsets(g.row);
  const float* w[CB];
  float b[CB];
  for (int c = 0; c < CB; ++c) {
    w[c] = weight + (co + c) * in_channels * 9;
    b[c] = bias ? bias[co + c] : 0.0f;
  }
  for (int64_t o = 0; o < g.wide_count; o += kBlock) {
    f8 acc[CB][2];
    for (int c = 0; c < CB; ++c) {
      acc[c][0] = f8{} + b[c];
      acc[c][1] = f8{} + b[c];
    }
    for (int64_t ci = 0; ci < in_channels; ++ci) {
      const float* base = padded + ci * g.plane_stride + o;
      for (int t = 0; t < 9; ++t) {
        const f8 s0 = load8(base + offsets[t]);
        const f8 s1 = load8(base + offsets[t] + kLanes);
        for (int c = 0; c < CB; ++c) {
          const float k = w[c][ci * 9 + t];
          acc[c][0] += k * s0;
          acc[c][1] += k * s1;
        }
      }
    }
    for (int c = 0; c < CB; ++c) {
      float* out = wide + (co + c) * g.wide_count + o;
      store8(out, acc[c][0]);
      store8(out + kLanes, acc[c][1]);
    }
  }
}

// grad_weight[co + c][ci][3*ky + kx] for c < CB and kx = 0..2: the three horizontal taps of a row
// read overlapping input, so each input vector feeds CB*3 multiply-adds.
template <int CB>
GREENTUNE_SIMD_INLINE void weight_grad_block(const Conv3x3Geometry& g, const float* input_plane,
                                             const float* padded_grad, int64_t in_channels,
                                             int64_t co, int64_t ci, float* grad_weight) {
  const float* grad[CB];
  for (int c = 0; c < CB; ++c) {
    grad[c] = padded_grad + (co + c) * g.plane_stride + g.wide_offset();
  }
  for (int64_t ky = 0; ky < 3; ++ky) {
    const float* src = input_plane + ky * g.row;
    f8 acc[CB][3];
    for (int c = 0; c < CB; ++c) acc[c][0] = acc[c][1] = acc[c][2] = f8{};
    for (int64_t o = 0; o < g.wide_count; o += kLanes) {
      const f8 s0 = load8(src + o), s1 = load8(src + o + 1), s2 = load8(src + o + 2);
      for (int c = 0; c < CB; ++c) {
        const f8 d = load8(grad[c] + o);
        acc[c][0] += d * s0;
        acc[c][1] += d * s1;
        acc[c][2] += d * s2;
      }
    }
    for (int c = 0; c < CB; ++c) {
      float* gw = grad_weight + ((co + c) * in_channels + ci) * 9 + ky * 3;
      for (int kx = 0; kx < 3; ++kx) gw[kx] += sum_lanes(acc[c][kx]);
    }
  }
}

// Blocks of 3 output channels where they divide evenly (the paper's networks: C * 3^k), else 4.
int channel_block(int64_t channels) {
  return channels % 3 == 0 ? 3 : 4;
}

GREENTUNE_SIMD_INLINE void pad_planes_body(const Conv3x3Geometry& g, const float* planes,
                                           int64_t count, float* padded) {
  const int64_t h = g.height, w = g.width, row = g.row;
  for (int64_t p = 0; p < count; ++p) {
    const float* in = planes + p * h * w;
    float* out = padded + p * g.plane_stride;
    std::fill(out, out + row + 1, 0.0f);
    // Rows of a vector or more: all but the last in whole vectors (the excess, less than a row,
    // lands on pads and the next row, which are written after it); the last exactly, as nothing
    // of the input may follow it.
    const int64_t overrunning = w >= kLanes ? h - 1 : 0;
    for (int64_t y = 0; y < overrunning; ++y) {
      copy_row_overrunning(in + y * w, w, out + (y + 1) * row + 1);
    }
    for (int64_t y = overrunning; y < h; ++y) copy_row(in + y * w, w, out + (y + 1) * row + 1);
    for (int64_t y = 0; y < h; ++y) {
      out[(y + 1) * row + 1 + w] = 0.0f;  // right pad of this row
      out[(y + 2) * row] = 0.0f;          // left pad of the next
    }
    std::fill(out + (h + 1) * row + 1, out + g.plane_stride, 0.0f);
  }
}

GREENTUNE_SIMD_INLINE void conv3x3_wide_body(const Conv3x3Geometry& g, const float* padded,
                                             int64_t in_channels, const float* weight,
                                             const float* bias, int64_t out_channels, float* wide) {
  const int block = channel_block(out_channels);
  int64_t co = 0;
  for (; co + block <= out_channels; co += block) {
    if (block == 3) {
      conv_block<3>(g, padded, in_channels, weight, bias, co, wide);
    } else {
      conv_block<4>(g, padded, in_channels, weight, bias, co, wide);
    }
  }
  for (; co < out_channels; ++co) conv_block<1>(g, padded, in_channels, weight, bias, co, wide);
}

GREENTUNE_SIMD_INLINE void unwide_planes_body(const Conv3x3Geometry& g, const float* wide,
                                              int64_t count, float* planes) {
  const int64_t h = g.height, w = g.width;
  for (int64_t p = 0; p < count; ++p) {
    const float* in = wide + p * g.wide_count;
    float* out = planes + p * h * w;
    // As in pad_planes: the last row exactly, since the output may end right after it.
    const int64_t overrunning = w >= kLanes ? h - 1 : 0;
    for (int64_t y = 0; y < overrunning; ++y) {
      copy_row_overrunning(in + y * g.row, w, out + y * w);
    }
    for (int64_t y = overrunning; y < h; ++y) copy_row(in + y * g.row, w, out + y * w);
  }
}

GREENTUNE_SIMD_INLINE void conv3x3_weight_grad_body(const Conv3x3Geometry& g,
                                                    const float* padded_input, int64_t in_channels,
                                                    const float* padded_grad, int64_t out_channels,
                                                    float* grad_weight, float* grad_bias) {
  const int block = channel_block(out_channels);
  for (int64_t ci = 0; ci < in_channels; ++ci) {
    const float* plane = padded_input + ci * g.plane_stride;
    int64_t co = 0;
    for (; co + block <= out_channels; co += block) {
      if (block == 3) {
        weight_grad_block<3>(g, plane, padded_grad, in_channels, co, ci, grad_weight);
      } else {
        weight_grad_block<4>(g, plane, padded_grad, in_channels, co, ci, grad_weight);
      }
    }
    for (; co < out_channels; ++co) {
      weight_grad_block<1>(g, plane, padded_grad, in_channels, co, ci, grad_weight);
    }
  }
  if (grad_bias == nullptr) return;
  for (int64_t co = 0; co < out_channels; ++co) {
    const float* grad = padded_grad + co * g.plane_stride + g.wide_offset();
    f8 acc = f8{};
    for (int64_t o = 0; o < g.wide_count; o += kLanes) acc += load8(grad + o);
    grad_bias[co] += sum_lanes(acc);
  }
}

}  // namespace

Conv3x3Geometry::Conv3x3Geometry(int64_t h, int64_t w)
    : height(h),
      width(w),
      row(w + 2),
      wide_count(round_up(h * (w + 2), kBlock)),
      plane_stride(round_up(round_up(h * (w + 2), kBlock) + 2 * (w + 2) + 2, 16)) {}

void flip_weights(const float* weight, int64_t out_channels, int64_t in_channels, float* flipped) {
  for (int64_t co = 0; co < out_channels; ++co) {
    for (int64_t ci = 0; ci < in_channels; ++ci) {
      for (int t = 0; t < 9; ++t) {
        flipped[(ci * out_channels + co) * 9 + (8 - t)] = weight[(co * in_channels + ci) * 9 + t];
      }
    }
  }
}

GREENTUNE_SIMD_DISPATCH(pad_planes,
                        (const Conv3x3Geometry& g, const float* planes, int64_t count,
                         float* padded),
                        (g, planes, count, padded))

GREENTUNE_SIMD_DISPATCH(conv3x3_wide,
                        (const Conv3x3Geometry& g, const float* padded, int64_t in_channels,
                         const float* weight, const float* bias, int64_t out_channels, float* wide),
                        (g, padded, in_channels, weight, bias, out_channels, wide))

GREENTUNE_SIMD_DISPATCH(unwide_planes,
                        (const Conv3x3Geometry& g, const float* wide, int64_t count, float* planes),
                        (g, wide, count, planes))

GREENTUNE_SIMD_DISPATCH(conv3x3_weight_grad,
                        (const Conv3x3Geometry& g, const float* padded_input, int64_t in_channels,
                         const float* padded_grad, int64_t out_channels, float* grad_weight,
                         float* grad_bias),
                        (g, padded_input, in_channels, padded_grad, out_channels, grad_weight,
                         grad_bias))

}  // namespace greentune::nn::kernels
