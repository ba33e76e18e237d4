#pragma once
// Raw IDX files (the FashionMNIST/MNIST format) for test fixtures: the big-endian header and a
// writer for an images/labels pair whose pixels the caller makes. Header-only, so test programs
// that do not link greentune can use it too.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

namespace greentune::idx_testing {

inline void put_u32(std::string& bytes, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((v >> shift) & 0xff);
}

// `magic` then each dimension, big-endian, as an IDX file starts.
inline std::string idx_header(uint32_t magic, std::initializer_list<uint32_t> dims) {
  std::string bytes;
  put_u32(bytes, magic);
  for (uint32_t d : dims) put_u32(bytes, d);
  return bytes;
}

// Writes <dir>/<prefix>-images-idx3-ubyte (count 28x28 images) and <prefix>-labels-idx1-ubyte,
// uncompressed. For each example in turn, `example(image)` fills the 784 bytes of `image` (all 0 on
// entry) and returns its label.
template <typename Example>
void write_idx_pair(const std::filesystem::path& dir, const std::string& prefix, uint32_t count,
                    Example&& example) {
  std::string images = idx_header(0x803, {count, 28, 28}), labels = idx_header(0x801, {count});
  for (uint32_t i = 0; i < count; ++i) {
    std::string image(28 * 28, '\0');
    labels += static_cast<char>(example(image));
    images += image;
  }
  std::ofstream(dir / (prefix + "-images-idx3-ubyte"), std::ios::binary) << images;
  std::ofstream(dir / (prefix + "-labels-idx1-ubyte"), std::ios::binary) << labels;
}

}  // namespace greentune::idx_testing
