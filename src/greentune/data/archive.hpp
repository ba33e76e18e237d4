#pragma once
// Unpacking downloaded archives (CIFAR-10's .tar.gz) with libarchive.
#include <filesystem>

namespace greentune::data {

// Extracts every regular file and folder of a (compressed) tar archive under `into`, refusing
// absolute paths, "..", and links that point outside. InputError naming the archive when it is
// damaged or truncated; IoError when a file cannot be written.
void extract_archive(const std::filesystem::path& archive, const std::filesystem::path& into);

}  // namespace greentune::data
