#pragma once
// Generated data files for the data room's tests: small IDX and CIFAR-10 files in a temp folder.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace greentune::data::testing {

// A fresh empty directory under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void write_bytes(const std::filesystem::path& file, const std::vector<uint8_t>& bytes);
void write_gzip(const std::filesystem::path& file, const std::vector<uint8_t>& bytes);
std::vector<uint8_t> read_bytes(const std::filesystem::path& file);

// The bytes of an IDX file: magic, dimensions (big-endian), then the body as given.
std::vector<uint8_t> idx_bytes(uint32_t magic, const std::vector<uint32_t>& dims,
                               const std::vector<uint8_t>& body);
// count images of rows x cols whose pixel (i, p) = (i * 7 + p) % 256, so content is checkable.
std::vector<uint8_t> image_pixels(uint32_t count, uint32_t rows, uint32_t cols);
// Labels i % 10.
std::vector<uint8_t> cycle_labels(uint32_t count);

// A FashionMNIST-shaped folder (4 files, gz or raw) with `train` and `test` images of 28x28.
void write_fashion_mnist(const std::filesystem::path& dir, uint32_t train, uint32_t test,
                         bool gz = true);

// One CIFAR-10 batch of `records` records; record r has label r % 10, pixels (r + c) % 256.
std::vector<uint8_t> cifar_batch(size_t records);

}  // namespace greentune::data::testing
