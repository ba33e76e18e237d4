#pragma once
// The CIFAR-10 binary format: each batch file holds 10000 records of 1 label byte followed by
// 3072 image bytes (3 channels of 32x32, channel-major), so records are already NCHW.
#include <filesystem>
#include <string>
#include <vector>

#include "greentune/data/dataset.hpp"

namespace greentune::data {

inline constexpr size_t kCifar10ImageBytes = 3 * 32 * 32;
inline constexpr size_t kCifar10RecordBytes = 1 + kCifar10ImageBytes;
inline constexpr size_t kCifar10RecordsPerBatch = 10000;

// Reads and concatenates batch files. Each must be exactly `records_per_batch` records long and
// every label in 0..9, or InputError names the file, the size found and the size expected.
Dataset read_cifar10_batches(const std::vector<std::filesystem::path>& files,
                             const std::string& name,
                             size_t records_per_batch = kCifar10RecordsPerBatch);

}  // namespace greentune::data
