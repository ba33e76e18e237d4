#include "greentune/data/archive.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "greentune/common/error.hpp"
#include "greentune/data/libarchive.hpp"

namespace greentune::data {
namespace {

struct ReaderDeleter {
  void operator()(struct archive* a) const { libarchive().archive_read_free(a); }
};
struct WriterDeleter {
  void operator()(struct archive* a) const { libarchive().archive_write_free(a); }
};

std::string error_of(struct archive* a) {
  const char* message = libarchive().archive_error_string(a);
  return message != nullptr ? message : "unknown error";
}

// Why an entry must not be extracted from a download, or "" when it may: a dataset archive holds
// regular files and folders under relative names, nothing else. Checked before anything of the
// entry is written, so a refused archive has written nothing outside the target folder.
std::string refusal(struct archive_entry* entry) {
  const LibArchive& lib = libarchive();
  const char* hardlink = lib.archive_entry_hardlink(entry);
  if (hardlink != nullptr) {
    // A pax hard link may carry data, which libarchive writes through the link to its target.
    return fmt::format("it is a hard link to '{}' (links are never extracted from a download)",
                       hardlink);
  }
  const char* symlink = lib.archive_entry_symlink(entry);
  if (symlink != nullptr || lib.archive_entry_filetype(entry) == AE_IFLNK) {
    return fmt::format("it is a symbolic link to '{}' (links are never extracted from a download)",
                       symlink != nullptr ? symlink : "");
  }
  const auto type = lib.archive_entry_filetype(entry);
  if (type != AE_IFREG && type != AE_IFDIR) {
    return "it is a device, FIFO or socket; expected only files and folders";
  }
  const char* raw = lib.archive_entry_pathname(entry);
  if (raw == nullptr || *raw == '\0') return "it has no name";
  const std::filesystem::path name = raw;
  if (name.is_absolute()) return "its path is absolute";
  const bool climbs =
      std::any_of(name.begin(), name.end(), [](const auto& part) { return part == ".."; });
  if (climbs) return "its path has a '..' component";
  return "";
}

}  // namespace

void extract_archive(const std::filesystem::path& archive_path, const std::filesystem::path& into) {
  const LibArchive& lib = libarchive();
  std::unique_ptr<struct archive, ReaderDeleter> reader(lib.archive_read_new());
  std::unique_ptr<struct archive, WriterDeleter> writer(lib.archive_write_disk_new());
  if (!reader || !writer) throw Error("libarchive: out of memory");
  lib.archive_read_support_filter_all(reader.get());
  lib.archive_read_support_format_tar(reader.get());
  lib.archive_read_support_format_gnutar(reader.get());
  // libarchive's own guards on what it writes: no ".." and no writing through a symbolic link
  // already on disk. ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS cannot be set, since every entry is
  // re-rooted under `into` by an absolute path (libarchive has no "extract below this folder"
  // option and chdir would change the whole process); refusal() applies that rule to the names
  // in the archive instead, together with the refusal of every link.
  lib.archive_write_disk_set_options(writer.get(), ARCHIVE_EXTRACT_TIME |
                                                       ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                       ARCHIVE_EXTRACT_SECURE_SYMLINKS);

  if (lib.archive_read_open_filename(reader.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    throw InputError(fmt::format("{}: cannot open as a tar archive: {}", archive_path.string(),
                                 error_of(reader.get())));
  }
  std::error_code ignored;
  std::filesystem::create_directories(into, ignored);
  const auto damaged = [&](struct archive* a) {
    return InputError(
        fmt::format("{}: damaged or truncated archive: {}", archive_path.string(), error_of(a)));
  };
  size_t entries = 0;
  for (;;) {
    struct archive_entry* entry = nullptr;
    const int status = lib.archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) throw damaged(reader.get());
    const char* raw_name = lib.archive_entry_pathname(entry);
    const std::string name = raw_name != nullptr ? raw_name : "";
    if (const std::string why = refusal(entry); !why.empty()) {
      throw InputError(fmt::format("{}: refusing entry '{}': {}; nothing from it is installed",
                                   archive_path.string(), name, why));
    }
    const std::filesystem::path target = into / name;
    lib.archive_entry_set_pathname(entry, target.c_str());
    if (lib.archive_write_header(writer.get(), entry) != ARCHIVE_OK) {
      throw IoError(fmt::format("{}: cannot extract {}: {}", archive_path.string(),
                                lib.archive_entry_pathname(entry), error_of(writer.get())));
    }
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
      const int r = lib.archive_read_data_block(reader.get(), &block, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) throw damaged(reader.get());
      if (lib.archive_write_data_block(writer.get(), block, size, offset) != ARCHIVE_OK) {
        throw IoError(fmt::format("{}: cannot write {}: {}", archive_path.string(), target.string(),
                                  error_of(writer.get())));
      }
    }
    if (lib.archive_write_finish_entry(writer.get()) != ARCHIVE_OK) {
      throw IoError(fmt::format("{}: cannot finish {}: {}", archive_path.string(), target.string(),
                                error_of(writer.get())));
    }
    ++entries;
  }
  if (entries == 0) {
    throw InputError(fmt::format("{}: the archive holds no files", archive_path.string()));
  }
}

}  // namespace greentune::data
