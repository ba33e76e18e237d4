#pragma once
// Batches split into fixed chunks of images for the CPU kernels' reductions: each chunk is summed
// on its own and the chunks added in order, so results depend neither on the thread count nor on
// which thread ran first.
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace greentune::nn {

constexpr int64_t kImagesPerChunk = 16;

inline int64_t chunk_count(int64_t images) {
  return (images + kImagesPerChunk - 1) / kImagesPerChunk;
}

// f(first image, image count, chunk index) for every chunk, chunks split between threads.
template <typename F>
void for_each_chunk(int64_t images, const F& f) {
  at::parallel_for(0, chunk_count(images), 1, [&](int64_t begin, int64_t end) {
    for (int64_t chunk = begin; chunk < end; ++chunk) {
      const int64_t first = chunk * kImagesPerChunk;
      f(first, std::min(kImagesPerChunk, images - first), chunk);
    }
  });
}

// Column sums of a [chunks][width] table, chunk by chunk in order.
inline std::vector<double> sum_chunks(const std::vector<double>& table, int64_t width) {
  std::vector<double> total(static_cast<size_t>(width), 0.0);
  for (size_t row = 0; row < table.size(); row += static_cast<size_t>(width)) {
    for (int64_t i = 0; i < width; ++i) total[i] += table[row + i];
  }
  return total;
}

}  // namespace greentune::nn
