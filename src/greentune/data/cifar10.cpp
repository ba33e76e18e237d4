#include "greentune/data/cifar10.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "greentune/common/error.hpp"

namespace greentune::data {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

void read_batch(const std::filesystem::path& path, size_t records, Dataset& into) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) {
    throw IoError(fmt::format("{}: cannot read: {}", path.string(), error.message()));
  }
  const size_t expected = records * kCifar10RecordBytes;
  if (size != expected) {
    throw InputError(
        fmt::format("{}: {} bytes, expected {} ({} records of 1 label byte + {} image bytes); "
                    "is this the CIFAR-10 binary version (cifar-10-binary.tar.gz)?",
                    path.string(), size, expected, records, kCifar10ImageBytes));
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    throw IoError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  }
  std::vector<uint8_t> raw(expected);
  if (std::fread(raw.data(), 1, raw.size(), file.get()) != raw.size()) {
    throw IoError(fmt::format("{}: read failed after the size check: {}", path.string(),
                              std::strerror(errno)));
  }
  const size_t first_image = into.images.size();
  into.images.resize(first_image + records * kCifar10ImageBytes);
  into.labels.reserve(into.labels.size() + records);
  for (size_t r = 0; r < records; ++r) {
    const uint8_t* record = raw.data() + r * kCifar10RecordBytes;
    if (record[0] >= into.classes) {
      throw InputError(fmt::format("{}: label {} in record {} is out of range 0..{}", path.string(),
                                   record[0], r, into.classes - 1));
    }
    into.labels.push_back(record[0]);
    std::memcpy(into.images.data() + first_image + r * kCifar10ImageBytes, record + 1,
                kCifar10ImageBytes);
  }
}

}  // namespace

Dataset read_cifar10_batches(const std::vector<std::filesystem::path>& files,
                             const std::string& name, size_t records_per_batch) {
  Dataset dataset;
  dataset.name = name;
  dataset.channels = 3;
  dataset.height = 32;
  dataset.width = 32;
  dataset.classes = 10;
  dataset.images.reserve(files.size() * records_per_batch * kCifar10ImageBytes);
  for (const auto& file : files) read_batch(file, records_per_batch, dataset);
  return dataset;
}

}  // namespace greentune::data
