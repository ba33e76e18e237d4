#pragma once
#include <filesystem>
#include <string_view>

namespace greentune {

// Writes `content` to a temporary file beside `path`, flushes it to disk and renames it over
// `path`, so readers see either the old file or the whole new one, never half of it.
// Creates missing parent directories. Throws IoError naming the path on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Reads a whole file; throws IoError naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace greentune
