#pragma once
// libarchive, opened on the first archive extracted rather than linked (see
// common/shared_library.hpp).
#include <archive.h>
#include <archive_entry.h>

namespace greentune::data {

// The libarchive functions greentune calls, typed from archive.h and archive_entry.h.
struct LibArchive {
  decltype(&::archive_read_new) archive_read_new;
  decltype(&::archive_read_free) archive_read_free;
  decltype(&::archive_read_support_filter_all) archive_read_support_filter_all;
  decltype(&::archive_read_support_format_tar) archive_read_support_format_tar;
  decltype(&::archive_read_support_format_gnutar) archive_read_support_format_gnutar;
  decltype(&::archive_read_open_filename) archive_read_open_filename;
  decltype(&::archive_read_next_header) archive_read_next_header;
  decltype(&::archive_read_data_block) archive_read_data_block;
  decltype(&::archive_write_disk_new) archive_write_disk_new;
  decltype(&::archive_write_disk_set_options) archive_write_disk_set_options;
  decltype(&::archive_write_header) archive_write_header;
  decltype(&::archive_write_data_block) archive_write_data_block;
  decltype(&::archive_write_finish_entry) archive_write_finish_entry;
  decltype(&::archive_write_free) archive_write_free;
  decltype(&::archive_error_string) archive_error_string;
  decltype(&::archive_entry_pathname) archive_entry_pathname;
  decltype(&::archive_entry_set_pathname) archive_entry_set_pathname;
  decltype(&::archive_entry_hardlink) archive_entry_hardlink;
  decltype(&::archive_entry_symlink) archive_entry_symlink;
  decltype(&::archive_entry_filetype) archive_entry_filetype;
};

// Loads libarchive on the first call. Error naming the library and the Debian package to install
// when it is missing.
const LibArchive& libarchive();

}  // namespace greentune::data
