#pragma once
// Direct 3x3 convolution (stride 1, padding 1) of one image, on plain float arrays, for the few
// channels of the paper's SimpleCNN. LibTorch 1.13 runs such convolutions through oneDNN or
// im2col with tiny GEMMs (M = 3 or 9): its forward+backward took ~45% of a SimpleCNN step here.
//
// Every plane is handled in a zero-padded layout: row r, column c of the (H+2)x(W+2) plane at
// r*(W+2)+c. Read at an offset of W+3, a padded plane is the "wide" plane: H rows of W+2 values
// whose last two are zero. A 3x3 tap (ky, kx) of wide output position o then reads the padded
// input at o + ky*(W+2) + kx, so each tap is one long contiguous multiply-add the CPU vectorises,
// with no bounds checks; the two junk columns per row are computed and dropped.
#include <cstdint>

namespace greentune::nn::kernels {

struct Conv3x3Geometry {
  Conv3x3Geometry(int64_t height, int64_t width);
  int64_t height, width;
  int64_t row;           // W + 2: the stride of padded and wide rows
  int64_t wide_count;    // H * (W + 2), rounded up to whole vector blocks
  int64_t plane_stride;  // floats per padded plane, including the slack the last block reads
  int64_t wide_offset() const { return row + 1; }
};

// planes: count contiguous HxW planes; padded: count planes of plane_stride floats.
void pad_planes(const Conv3x3Geometry& g, const float* planes, int64_t count, float* padded);

// wide[co] (co < out_channels, wide_count floats each) = bias[co] + sum over ci, taps of
// weight[co][ci][tap] * padded input plane ci. bias may be null.
void conv3x3_wide(const Conv3x3Geometry& g, const float* padded, int64_t in_channels,
                  const float* weight, const float* bias, int64_t out_channels, float* wide);

// The HxW planes inside count wide planes (the junk columns dropped).
void unwide_planes(const Conv3x3Geometry& g, const float* wide, int64_t count, float* planes);

// grad_weight[co][ci][tap] += sum_o grad_wide[co][o] * padded_input[ci][o + tap offset] and
// grad_bias[co] += sum_o grad_wide[co][o], where grad_wide[co] = padded_grad + co * plane_stride +
// wide_offset() (zero junk columns). grad_bias may be null.
void conv3x3_weight_grad(const Conv3x3Geometry& g, const float* padded_input, int64_t in_channels,
                         const float* padded_grad, int64_t out_channels, float* grad_weight,
                         float* grad_bias);

// The weights of the transposed convolution that maps output gradients to input gradients:
// flipped[ci][co][8 - tap] = weight[co][ci][tap].
void flip_weights(const float* weight, int64_t out_channels, int64_t in_channels, float* flipped);

}  // namespace greentune::nn::kernels
