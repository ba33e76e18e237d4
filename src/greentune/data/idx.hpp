#pragma once
// The IDX format of the MNIST family (LeCun's MNIST, FashionMNIST): big-endian header, then bytes.
// Files may be gzip-compressed or raw; zlib reads both the same way.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "greentune/data/dataset.hpp"

namespace greentune::data {

inline constexpr uint32_t kIdxImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
inline constexpr uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension

struct IdxImages {
  uint32_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // count x rows x cols
};

// Throw InputError naming the file when the magic, dimensions or size disagree with the header,
// IoError when the file cannot be opened or read.
IdxImages read_idx_images(const std::filesystem::path& file);
std::vector<uint8_t> read_idx_labels(const std::filesystem::path& file, int classes = 10);

// Reads a matching images + labels pair into a Dataset (1 channel); counts must agree.
Dataset read_idx_dataset(const std::filesystem::path& images, const std::filesystem::path& labels,
                         const std::string& name, int classes = 10);

}  // namespace greentune::data
