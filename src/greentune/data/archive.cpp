#include "greentune/data/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "greentune/common/error.hpp"

namespace greentune::data {
namespace {

struct ReaderDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriterDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};

std::string error_of(struct archive* a) {
  const char* message = archive_error_string(a);
  return message != nullptr ? message : "unknown error";
}

}  // namespace

void extract_archive(const std::filesystem::path& archive_path, const std::filesystem::path& into) {
  std::unique_ptr<struct archive, ReaderDeleter> reader(archive_read_new());
  std::unique_ptr<struct archive, WriterDeleter> writer(archive_write_disk_new());
  if (!reader || !writer) throw Error("libarchive: out of memory");
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_tar(reader.get());
  archive_read_support_format_gnutar(reader.get());
  archive_write_disk_set_options(writer.get(), ARCHIVE_EXTRACT_TIME |
                                                   ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                   ARCHIVE_EXTRACT_SECURE_SYMLINKS);

  if (archive_read_open_filename(reader.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
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
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) throw damaged(reader.get());
    const auto type = archive_entry_filetype(entry);
    if (type != AE_IFREG && type != AE_IFDIR) continue;  // no links or devices from a download
    // Entries are re-rooted under `into`, so an absolute name would escape it: refuse those here
    // (libarchive's own check would refuse every re-rooted name when `into` is absolute).
    const std::filesystem::path name = archive_entry_pathname(entry);
    const bool climbs =
        std::any_of(name.begin(), name.end(), [](const auto& p) { return p == ".."; });
    if (name.is_absolute() || climbs) {
      throw InputError(fmt::format("{}: refusing entry {}: it would land outside {}",
                                   archive_path.string(), name.string(), into.string()));
    }
    const std::filesystem::path target = into / name;
    archive_entry_set_pathname(entry, target.c_str());
    if (archive_write_header(writer.get(), entry) != ARCHIVE_OK) {
      throw IoError(fmt::format("{}: cannot extract {}: {}", archive_path.string(),
                                archive_entry_pathname(entry), error_of(writer.get())));
    }
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
      const int r = archive_read_data_block(reader.get(), &block, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) throw damaged(reader.get());
      if (archive_write_data_block(writer.get(), block, size, offset) != ARCHIVE_OK) {
        throw IoError(fmt::format("{}: cannot write {}: {}", archive_path.string(), target.string(),
                                  error_of(writer.get())));
      }
    }
    if (archive_write_finish_entry(writer.get()) != ARCHIVE_OK) {
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
