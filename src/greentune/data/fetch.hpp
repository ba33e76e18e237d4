#pragma once
// Downloading a dataset from its publisher (or a mirror), verifying it, and installing it where
// locate_dataset looks. Everything lands in a temporary folder inside the target directory first
// and is renamed into place only after every file has passed its checksum and its reader, so a
// failed fetch leaves the target directory as it was.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "greentune/data/locate.hpp"

namespace greentune::data {

struct FetchFile {
  std::string name;  // as stored: "train-images-idx3-ubyte.gz", "cifar-10-binary.tar.gz"
  std::string url;
  std::string md5;             // the publisher's MD5 of the file as served ("" = none)
  std::string content_sha256;  // SHA-256 of the bytes inside the .gz ("" = none): matches a mirror
                               // that re-compressed or re-stamped the file (e.g. Debian's copies)
  std::string sha256;          // SHA-256 of the file as served ("" = none); --sha256 sets it and
                               // clears the other two
  // A download passes when both md5 and sha256 match, or when content_sha256 does.
};

struct FetchOptions {
  std::filesystem::path dir;  // empty: default_fetch_directory(kind)
  // Overrides the publisher's location. fashion-mnist: a base URL the four file names are
  // appended to; cifar10: the URL of the .tar.gz itself.
  std::string url;
  // Overrides the known checksums: SHA-256 of each file as served, in fetch_plan order
  // (fashion-mnist: 4, cifar10: 1).
  std::vector<std::string> sha256;
  bool force = false;     // download even when the dataset is already in `dir`
  bool progress = false;  // a live progress line on stderr (the CLI sets it on a terminal)
  long connect_timeout_seconds = 20;
  long stall_timeout_seconds = 60;  // give up when under 1 byte/s for this long
};

struct FetchResult {
  std::filesystem::path directory;  // where locate_dataset will find it
  bool already_present = false;
  uint64_t bytes_downloaded = 0;
};

// $GREENTUNE_DATA_DIR/<name> when set, else ./data/<name>: both are places locate_dataset looks.
std::filesystem::path default_fetch_directory(DatasetKind kind);

// The files to download, with URLs and checksums. InputError for a malformed --url/--sha256.
std::vector<FetchFile> fetch_plan(DatasetKind kind, const FetchOptions& options);

// Downloads, verifies and installs. IoError naming the URL and the failure (network, HTTP status,
// checksum, damaged file) and saying how to install the files by hand.
FetchResult fetch_dataset(DatasetKind kind, const FetchOptions& options);

// One HTTP(S)/file download to `to` (overwritten). IoError naming the URL on any failure, HTTP
// errors (404, ...) included. Returns the bytes received.
uint64_t download_file(const std::string& url, const std::filesystem::path& to,
                       const FetchOptions& options, const std::string& label);

}  // namespace greentune::data
