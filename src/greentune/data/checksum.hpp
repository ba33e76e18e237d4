#pragma once
// Digests for verifying downloads: the publishers give MD5s, we add SHA-256 (OpenSSL EVP).
#include <filesystem>
#include <string>
#include <string_view>

namespace greentune::data {

enum class DigestKind { Md5, Sha256 };

// Lower-case hex digest of a file's bytes; IoError naming the file when it cannot be read.
std::string file_digest(const std::filesystem::path& file, DigestKind kind);

// Lower-case hex digest of the bytes inside a gzip file (or of a raw file, which zlib passes
// through): what stays the same when a mirror re-compresses or re-stamps the .gz.
std::string gzip_content_digest(const std::filesystem::path& file, DigestKind kind);

std::string bytes_digest(std::string_view bytes, DigestKind kind);

// True when `text` is a hex string of the right length for `kind` (case-insensitive).
bool is_hex_digest(std::string_view text, DigestKind kind);

}  // namespace greentune::data
