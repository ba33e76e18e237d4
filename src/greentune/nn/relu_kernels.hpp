#pragma once
// ReLU over contiguous floats, as LibTorch computes it (its vectorised max(0, x): NaN and -0
// pass through) and its gradient (zero where the output is <= 0). LibTorch 1.13's
// threshold_backward took ~10% of a SimpleCNN step here.
#include <cstdint>

namespace greentune::nn::kernels {

void relu(const float* x, int64_t count, float* y);

// dx = y > 0 ? dy : 0, where y is the forward output (NaN counts as > 0, as in LibTorch).
void relu_backward(const float* y, const float* dy, int64_t count, float* dx);

}  // namespace greentune::nn::kernels
