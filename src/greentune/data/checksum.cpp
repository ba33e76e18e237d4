#include "greentune/data/checksum.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "greentune/common/error.hpp"
#include "greentune/data/libcrypto.hpp"

namespace greentune::data {
namespace {

class Hasher {
 public:
  explicit Hasher(DigestKind kind) : lib_(libcrypto()), context_(lib_.EVP_MD_CTX_new()) {
    const EVP_MD* md = kind == DigestKind::Md5 ? lib_.EVP_md5() : lib_.EVP_sha256();
    if (context_ == nullptr || lib_.EVP_DigestInit_ex(context_, md, nullptr) != 1) {
      throw Error("OpenSSL could not start a digest");
    }
  }
  ~Hasher() { lib_.EVP_MD_CTX_free(context_); }
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void update(const void* data, size_t size) {
    if (lib_.EVP_DigestUpdate(context_, data, size) != 1)
      throw Error("OpenSSL digest update failed");
  }

  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (lib_.EVP_DigestFinal_ex(context_, digest, &size) != 1) throw Error("OpenSSL digest failed");
    std::string out;
    out.reserve(2 * size);
    for (unsigned i = 0; i < size; ++i) out += fmt::format("{:02x}", digest[i]);
    return out;
  }

 private:
  const LibCrypto& lib_;
  EVP_MD_CTX* context_;
};

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

std::string file_digest(const std::filesystem::path& path, DigestKind kind) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    throw IoError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  }
  Hasher hasher(kind);
  std::vector<unsigned char> buffer(1 << 20);
  for (;;) {
    const size_t got = std::fread(buffer.data(), 1, buffer.size(), file.get());
    hasher.update(buffer.data(), got);
    if (got < buffer.size()) break;
  }
  if (std::ferror(file.get())) {
    throw IoError(fmt::format("{}: read failed: {}", path.string(), std::strerror(errno)));
  }
  return hasher.hex();
}

std::string gzip_content_digest(const std::filesystem::path& path, DigestKind kind) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    throw IoError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  }
  Hasher hasher(kind);
  std::vector<unsigned char> buffer(1 << 20);
  for (;;) {
    const int got = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
    int code = Z_OK;
    const char* message = gzerror(file, &code);
    if (got < 0 || (code != Z_OK && code != Z_STREAM_END)) {
      const std::string text = message != nullptr ? message : "error";
      gzclose(file);
      throw InputError(fmt::format("{}: cannot decompress: {} (a damaged or truncated .gz file)",
                                   path.string(), text));
    }
    if (got == 0) break;
    hasher.update(buffer.data(), static_cast<size_t>(got));
  }
  gzclose(file);
  return hasher.hex();
}

std::string bytes_digest(std::string_view bytes, DigestKind kind) {
  Hasher hasher(kind);
  hasher.update(bytes.data(), bytes.size());
  return hasher.hex();
}

bool is_hex_digest(std::string_view text, DigestKind kind) {
  const size_t length = kind == DigestKind::Md5 ? 32 : 64;
  if (text.size() != length) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace greentune::data
