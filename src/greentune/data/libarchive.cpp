#include "greentune/data/libarchive.hpp"

#include "greentune/common/shared_library.hpp"

namespace greentune::data {
namespace {

LibArchive load() {
  static const SharedLibrary library("libarchive.so.13",
                                     "libarchive13 (libarchive13t64 on Ubuntu 24.04)",
                                     "unpacking a dataset archive (`greentune data fetch`)");
  LibArchive api{};
  // The member and the symbol are one name, so they cannot drift apart.
#define GREENTUNE_BIND(function) library.bind(api.function, #function)
  GREENTUNE_BIND(archive_read_new);
  GREENTUNE_BIND(archive_read_free);
  GREENTUNE_BIND(archive_read_support_filter_all);
  GREENTUNE_BIND(archive_read_support_format_tar);
  GREENTUNE_BIND(archive_read_support_format_gnutar);
  GREENTUNE_BIND(archive_read_open_filename);
  GREENTUNE_BIND(archive_read_next_header);
  GREENTUNE_BIND(archive_read_data_block);
  GREENTUNE_BIND(archive_write_disk_new);
  GREENTUNE_BIND(archive_write_disk_set_options);
  GREENTUNE_BIND(archive_write_header);
  GREENTUNE_BIND(archive_write_data_block);
  GREENTUNE_BIND(archive_write_finish_entry);
  GREENTUNE_BIND(archive_write_free);
  GREENTUNE_BIND(archive_error_string);
  GREENTUNE_BIND(archive_entry_pathname);
  GREENTUNE_BIND(archive_entry_set_pathname);
  GREENTUNE_BIND(archive_entry_hardlink);
  GREENTUNE_BIND(archive_entry_symlink);
  GREENTUNE_BIND(archive_entry_filetype);
#undef GREENTUNE_BIND
  return api;
}

}  // namespace

const LibArchive& libarchive() {
  static const LibArchive api = load();
  return api;
}

}  // namespace greentune::data
