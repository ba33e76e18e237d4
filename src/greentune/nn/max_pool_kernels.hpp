#pragma once
// MaxPool2d(kernel 2, stride 2) over contiguous float planes. LibTorch 1.13's NCHW
// max_pool2d_with_indices took ~9 ms per call on 512x3x28x28 here, a third of a SimpleCNN batch;
// this is a plain scan, memory-bound. It follows MaxPool2d's rule exactly (each window read in
// order (0,0), (0,1), (1,0), (1,1); a value replaces the maximum when it is larger or NaN), so
// outputs and gradients are identical, ties and NaN included. Odd trailing rows and columns are
// dropped, as MaxPool2d's floor mode does.
#include <cstdint>

namespace greentune::nn::kernels {

// y: planes x (h/2) x (w/2) maxima; where: the position of each maximum in its window (0..3).
void max_pool_2x2(const float* x, int64_t planes, int64_t h, int64_t w, float* y, uint8_t* where);

// dx (planes x h x w, every element written): dy routed to the recorded positions, 0 elsewhere.
void max_pool_2x2_backward(const float* dy, const uint8_t* where, int64_t planes, int64_t h,
                           int64_t w, float* dx);

}  // namespace greentune::nn::kernels
