#pragma once
// Unpacking downloaded archives (CIFAR-10's .tar.gz) with libarchive.
#include <filesystem>

namespace greentune::data {

// Extracts the regular files and folders of a (compressed) tar archive under `into`. Any other
// entry (hard link, with or without data; symbolic link; device, FIFO) and any absolute name or
// name with a ".." component is refused with an InputError naming the archive and the entry,
// before anything of that entry is written: nothing lands outside `into`. InputError too when the
// archive is damaged or truncated; IoError when a file cannot be written.
void extract_archive(const std::filesystem::path& archive, const std::filesystem::path& into);

}  // namespace greentune::data
