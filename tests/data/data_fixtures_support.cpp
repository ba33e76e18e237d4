#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <fstream>
#include <stdexcept>

#include "data/data_fixtures.hpp"

namespace greentune::data::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("greentune-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_bytes(const std::filesystem::path& file, const std::vector<uint8_t>& bytes) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

void write_gzip(const std::filesystem::path& file, const std::vector<uint8_t>& bytes) {
  std::filesystem::create_directories(file.parent_path());
  gzFile out = gzopen(file.c_str(), "wb1");
  if (out == nullptr) throw std::runtime_error("cannot write " + file.string());
  if (!bytes.empty() && gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())) !=
                            static_cast<int>(bytes.size())) {
    gzclose(out);
    throw std::runtime_error("cannot compress into " + file.string());
  }
  gzclose(out);
}

std::vector<uint8_t> read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> idx_bytes(uint32_t magic, const std::vector<uint32_t>& dims,
                               const std::vector<uint8_t>& body) {
  std::vector<uint8_t> bytes;
  auto put = [&](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(v >> shift));
  };
  put(magic);
  for (uint32_t d : dims) put(d);
  bytes.insert(bytes.end(), body.begin(), body.end());
  return bytes;
}

std::vector<uint8_t> image_pixels(uint32_t count, uint32_t rows, uint32_t cols) {
  const size_t size = size_t{rows} * cols;
  std::vector<uint8_t> pixels(count * size);
  for (size_t i = 0; i < count; ++i) {
    for (size_t p = 0; p < size; ++p)
      pixels[i * size + p] = static_cast<uint8_t>((i * 7 + p) % 256);
  }
  return pixels;
}

std::vector<uint8_t> cycle_labels(uint32_t count) {
  std::vector<uint8_t> labels(count);
  for (uint32_t i = 0; i < count; ++i) labels[i] = static_cast<uint8_t>(i % 10);
  return labels;
}

void write_fashion_mnist(const std::filesystem::path& dir, uint32_t train, uint32_t test, bool gz) {
  auto write = [&](const std::string& stem, const std::vector<uint8_t>& bytes) {
    if (gz) {
      write_gzip(dir / (stem + ".gz"), bytes);
    } else {
      write_bytes(dir / stem, bytes);
    }
  };
  write("train-images-idx3-ubyte", idx_bytes(0x803, {train, 28, 28}, image_pixels(train, 28, 28)));
  write("train-labels-idx1-ubyte", idx_bytes(0x801, {train}, cycle_labels(train)));
  write("t10k-images-idx3-ubyte", idx_bytes(0x803, {test, 28, 28}, image_pixels(test, 28, 28)));
  write("t10k-labels-idx1-ubyte", idx_bytes(0x801, {test}, cycle_labels(test)));
}

std::vector<uint8_t> cifar_batch(size_t records) {
  std::vector<uint8_t> bytes(records * 3073);
  for (size_t r = 0; r < records; ++r) {
    bytes[r * 3073] = static_cast<uint8_t>(r % 10);
    for (size_t c = 0; c < 3072; ++c) bytes[r * 3073 + 1 + c] = static_cast<uint8_t>((r + c) % 256);
  }
  return bytes;
}

}  // namespace greentune::data::testing
