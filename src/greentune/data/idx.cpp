#include "greentune/data/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

#include "greentune/common/error.hpp"

namespace greentune::data {
namespace {

// The IDX file opened through zlib, which passes uncompressed files through unchanged.
class GzFile {
 public:
  explicit GzFile(const std::filesystem::path& path) : path_(path) {
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      throw IoError(fmt::format("{}: cannot open: {}", path.string(),
                                errno != 0 ? std::strerror(errno) : "out of memory"));
    }
    gzbuffer(file_, 1 << 17);
  }
  ~GzFile() { gzclose(file_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads up to `size` bytes; returns how many were read (fewer only at the end of the data).
  size_t read(uint8_t* out, size_t size) {
    size_t done = 0;
    while (done < size) {
      const unsigned chunk =
          static_cast<unsigned>(std::min<size_t>(size - done, std::numeric_limits<int>::max()));
      const int got = gzread(file_, out + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        throw InputError(fmt::format("{}: cannot decompress: {} (a damaged or truncated .gz file)",
                                     path_.string(), message != nullptr ? message : "error"));
      }
      if (got == 0) {
        // A .gz cut short reads as end of data; zlib flags it only through gzerror.
        int code = 0;
        const char* message = gzerror(file_, &code);
        if (code != Z_OK && code != Z_STREAM_END) {
          throw InputError(
              fmt::format("{}: cannot decompress: {} (a damaged or truncated .gz file)",
                          path_.string(), message != nullptr ? message : "error"));
        }
        break;
      }
      done += static_cast<size_t>(got);
    }
    return done;
  }

  // Counts the bytes left after the expected data (a file longer than its header says is wrong
  // too).
  size_t trailing_bytes() {
    uint8_t scratch[4096];
    size_t total = 0;
    for (;;) {
      const size_t got = read(scratch, sizeof scratch);
      total += got;
      if (got < sizeof scratch) return total;
    }
  }

 private:
  std::filesystem::path path_;
  gzFile file_ = nullptr;
};

uint32_t big_endian(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

std::vector<uint32_t> read_header(GzFile& file, const std::filesystem::path& path,
                                  uint32_t expected_magic, size_t dims, const char* kind) {
  std::vector<uint8_t> raw(4 * (dims + 1));
  const size_t got = file.read(raw.data(), raw.size());
  if (got < 4) {
    throw InputError(
        fmt::format("{}: truncated: an IDX {} file needs a {}-byte header, file has {}",
                    path.string(), kind, raw.size(), got));
  }
  const uint32_t magic = big_endian(raw.data());
  if (magic != expected_magic) {
    throw InputError(fmt::format(
        "{}: bad magic number 0x{:08x}, expected 0x{:08x} (IDX {}: unsigned bytes, {} dimension{})",
        path.string(), magic, expected_magic, kind, dims, dims == 1 ? "" : "s"));
  }
  if (got < raw.size()) {
    throw InputError(
        fmt::format("{}: truncated: an IDX {} file needs a {}-byte header, file has {}",
                    path.string(), kind, raw.size(), got));
  }
  std::vector<uint32_t> header(dims);
  for (size_t i = 0; i < dims; ++i) header[i] = big_endian(raw.data() + 4 * (i + 1));
  return header;
}

// Reads exactly `size` bytes into `out`, growing it as data arrives, so a corrupt header that
// claims billions of items costs no more memory than the file really holds.
void read_body(GzFile& file, const std::filesystem::path& path, std::vector<uint8_t>& out,
               size_t size, const std::string& header_says) {
  constexpr size_t kChunk = size_t{64} << 20;
  out.clear();
  size_t got = 0;
  while (got < size) {
    const size_t want = std::min(kChunk, size - got);
    out.resize(got + want);
    const size_t n = file.read(out.data() + got, want);
    got += n;
    if (n < want) break;
  }
  if (got < size) {
    throw InputError(fmt::format("{}: truncated: header says {} = {} bytes, file has {}",
                                 path.string(), header_says, size, got));
  }
  const size_t extra = file.trailing_bytes();
  if (extra > 0) {
    throw InputError(
        fmt::format("{}: {} unexpected byte(s) after the data: header says {} = {} bytes",
                    path.string(), extra, header_says, size));
  }
}

}  // namespace

IdxImages read_idx_images(const std::filesystem::path& path) {
  GzFile file(path);
  const auto header = read_header(file, path, kIdxImagesMagic, 3, "images");
  IdxImages images{header[0], header[1], header[2], {}};
  if (images.rows == 0 || images.cols == 0 || images.rows > 4096 || images.cols > 4096) {
    throw InputError(fmt::format("{}: image size {}x{} is not plausible, expected 1..4096 per side",
                                 path.string(), images.rows, images.cols));
  }
  const size_t size = size_t{images.count} * images.rows * images.cols;
  read_body(file, path, images.pixels, size,
            fmt::format("{} images of {}x{}", images.count, images.rows, images.cols));
  return images;
}

std::vector<uint8_t> read_idx_labels(const std::filesystem::path& path, int classes) {
  GzFile file(path);
  const auto header = read_header(file, path, kIdxLabelsMagic, 1, "labels");
  std::vector<uint8_t> labels;
  read_body(file, path, labels, header[0], fmt::format("{} labels", header[0]));
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= classes) {
      throw InputError(fmt::format("{}: label {} at index {} is out of range 0..{}", path.string(),
                                   labels[i], i, classes - 1));
    }
  }
  return labels;
}

Dataset read_idx_dataset(const std::filesystem::path& images_path,
                         const std::filesystem::path& labels_path, const std::string& name,
                         int classes) {
  auto labels = read_idx_labels(labels_path, classes);
  auto images = read_idx_images(images_path);
  if (images.count != labels.size()) {
    throw InputError(fmt::format("{} has {} images but {} has {} labels; expected the same count",
                                 images_path.string(), images.count, labels_path.string(),
                                 labels.size()));
  }
  Dataset dataset;
  dataset.name = name;
  dataset.channels = 1;
  dataset.height = static_cast<int>(images.rows);
  dataset.width = static_cast<int>(images.cols);
  dataset.images = std::move(images.pixels);
  dataset.labels = std::move(labels);
  dataset.classes = classes;
  return dataset;
}

}  // namespace greentune::data
