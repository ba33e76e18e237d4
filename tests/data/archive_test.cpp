// Hostile archives: links, absolute names and ".." must never let an extraction write outside its
// folder, even when it fails. Each archive is crafted here with libarchive's writer.
#include "greentune/data/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "data/data_fixtures.hpp"
#include "data/http_server.hpp"
#include "greentune/common/error.hpp"
#include "greentune/data/checksum.hpp"
#include "greentune/data/fetch.hpp"

namespace greentune::data {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;

struct TarEntry {
  enum Type { file, folder, symlink, hardlink, hardlink_with_data };
  std::string name;
  Type type = file;
  std::string body;  // file, hardlink_with_data
  std::string link;  // symlink and hard link targets
};

TarEntry file_entry(std::string name, std::string body) {
  return {std::move(name), TarEntry::file, std::move(body), ""};
}
TarEntry folder_entry(std::string name) {
  return {std::move(name), TarEntry::folder, "", ""};
}
TarEntry symlink_entry(std::string name, std::string target) {
  return {std::move(name), TarEntry::symlink, "", std::move(target)};
}
TarEntry hardlink_entry(std::string name, std::string target, std::string data = "") {
  const auto type = data.empty() ? TarEntry::hardlink : TarEntry::hardlink_with_data;
  return {std::move(name), type, std::move(data), std::move(target)};
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// libarchive's writer drops the data of a hard link, so a hard link with data is written as a file
// whose ustar header is then turned into a hard link (typeflag '1', the link name, the checksum),
// as a hostile archive would carry it. The pax extended header before it keeps the archive pax,
// where readers take such data as the file's content.
void make_hard_link_with_data(const fs::path& file, const std::string& name,
                              const std::string& target) {
  std::string tar = slurp(file);
  for (size_t at = 0; at + 512 <= tar.size();) {
    char* header = tar.data() + at;
    if (header[0] == '\0') break;
    const long size = std::strtol(std::string(header + 124, 12).c_str(), nullptr, 8);
    if (std::string(header) == name && header[156] == '0') {
      header[156] = '1';
      std::memset(header + 157, 0, 100);
      std::memcpy(header + 157, target.data(), std::min<size_t>(target.size(), 99));
      std::memset(header + 148, ' ', 8);
      unsigned sum = 0;
      for (int i = 0; i < 512; ++i) sum += static_cast<unsigned char>(header[i]);
      std::snprintf(header + 148, 8, "%06o", sum);
      header[155] = ' ';
    }
    at += 512 + static_cast<size_t>((size + 511) / 512 * 512);
  }
  std::ofstream(file, std::ios::binary | std::ios::trunc) << tar;
}

void write_tar(const fs::path& file, const std::vector<TarEntry>& entries) {
  struct archive* writer = archive_write_new();
  archive_write_set_format_pax(writer);
  ASSERT_EQ(archive_write_open_filename(writer, file.c_str()), ARCHIVE_OK);
  for (const auto& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_mtime(entry, 1, 5);  // a sub-second time: every entry gets a pax header
    switch (e.type) {
      case TarEntry::file:
      case TarEntry::hardlink_with_data:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.body.size()));
        break;
      case TarEntry::folder:
        archive_entry_set_filetype(entry, AE_IFDIR);
        break;
      case TarEntry::symlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_symlink(entry, e.link.c_str());
        break;
      case TarEntry::hardlink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, e.link.c_str());
        break;
    }
    ASSERT_EQ(archive_write_header(writer, entry), ARCHIVE_OK) << archive_error_string(writer);
    if (!e.body.empty()) archive_write_data(writer, e.body.data(), e.body.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  for (const auto& e : entries) {
    if (e.type == TarEntry::hardlink_with_data) make_hard_link_with_data(file, e.name, e.link);
  }
}

// The entries of an archive as libarchive reads them back: "name type hardlink size".
std::vector<std::string> read_back(const fs::path& file) {
  std::vector<std::string> out;
  struct archive* reader = archive_read_new();
  archive_read_support_format_tar(reader);
  archive_read_open_filename(reader, file.c_str(), 10240);
  struct archive_entry* entry = nullptr;
  while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
    const char* hardlink = archive_entry_hardlink(entry);
    out.push_back(std::string(archive_entry_pathname(entry)) +
                  " hardlink=" + (hardlink ? hardlink : "") +
                  " size=" + std::to_string(archive_entry_size(entry)));
  }
  archive_read_free(reader);
  return out;
}

class HostileArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "outside");
    std::ofstream(outside_file_) << "original\n";
  }

  // Extracts into dir_/into and returns the InputError's message ("" and a failure if none).
  std::string refusal(const std::vector<TarEntry>& entries) {
    write_tar(archive_, entries);
    try {
      extract_archive(archive_, dir_ / "into");
    } catch (const InputError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected the archive to be refused";
    return "";
  }

  void expect_outside_untouched() {
    EXPECT_EQ(slurp(outside_file_), "original\n");
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_ / "outside")) {
      names.push_back(entry.path().filename());
    }
    EXPECT_EQ(names, std::vector<std::string>{"victim.txt"});
  }

  TempDir dir_;
  fs::path archive_ = dir_ / "evil.tar";
  fs::path outside_file_ = dir_ / "outside" / "victim.txt";
};

TEST_F(HostileArchive, HardLinkWithDataToAnAbsolutePathIsRefused) {
  const auto message = refusal(
      {file_entry("ok.txt", "fine"), hardlink_entry("evil", outside_file_.string(), "PWNED\n")});
  ASSERT_THAT(read_back(archive_),
              ::testing::Contains("evil hardlink=" + outside_file_.string() + " size=6"))
      << "the crafted entry must be a hard link that carries data";
  EXPECT_THAT(message, HasSubstr("refusing entry 'evil'"));
  EXPECT_THAT(message, HasSubstr("hard link to '" + outside_file_.string() + "'"));
  expect_outside_untouched();
  EXPECT_FALSE(fs::exists(dir_ / "into" / "evil"));
}

TEST_F(HostileArchive, HardLinkWithDataToARelativePathIsRefused) {
  // libarchive resolves a hard link's target from the process's working folder.
  const std::string target = fs::relative(outside_file_, fs::current_path()).string();
  const auto message = refusal({hardlink_entry("evil", target, "PWNED\n")});
  EXPECT_THAT(message, HasSubstr("refusing entry 'evil'"));
  EXPECT_THAT(message, HasSubstr("hard link"));
  expect_outside_untouched();
}

TEST_F(HostileArchive, HardLinkWithoutDataIsRefused) {
  const auto message = refusal({hardlink_entry("link", outside_file_.string())});
  EXPECT_THAT(message, HasSubstr("refusing entry 'link'"));
  EXPECT_FALSE(fs::exists(dir_ / "into" / "link"));
  expect_outside_untouched();
}

TEST_F(HostileArchive, SymlinkChainLeadingOutsideIsRefused) {
  const auto message =
      refusal({symlink_entry("a", "b"), symlink_entry("b", (dir_ / "outside").string()),
               file_entry("a/victim.txt", "PWNED\n"), file_entry("a/new.txt", "PWNED\n")});
  EXPECT_THAT(message, HasSubstr("refusing entry 'a'"));
  EXPECT_THAT(message, HasSubstr("symbolic link to 'b'"));
  expect_outside_untouched();
}

TEST_F(HostileArchive, RelativeSymlinkUpwardsIsRefused) {
  const auto message =
      refusal({symlink_entry("up", "../outside"), file_entry("up/victim.txt", "PWNED\n")});
  EXPECT_THAT(message, HasSubstr("refusing entry 'up'"));
  expect_outside_untouched();
}

TEST_F(HostileArchive, AbsolutePathIsRefused) {
  const auto message = refusal({file_entry(outside_file_.string(), "PWNED\n")});
  EXPECT_THAT(message, HasSubstr("refusing entry '" + outside_file_.string() + "'"));
  EXPECT_THAT(message, HasSubstr("absolute"));
  expect_outside_untouched();
}

TEST_F(HostileArchive, DotDotInsideAPathIsRefused) {
  const auto message = refusal({file_entry("data/../../outside/victim.txt", "PWNED\n")});
  EXPECT_THAT(message, HasSubstr("refusing entry 'data/../../outside/victim.txt'"));
  EXPECT_THAT(message, HasSubstr("'..'"));
  expect_outside_untouched();
}

TEST_F(HostileArchive, FilesAndFoldersAreExtracted) {
  write_tar(archive_,
            {folder_entry("set"), file_entry("set/a.bin", "abc"), file_entry("./set/b.bin", "de")});
  extract_archive(archive_, dir_ / "into");
  EXPECT_EQ(slurp(dir_ / "into" / "set" / "a.bin"), "abc");
  EXPECT_EQ(slurp(dir_ / "into" / "set" / "b.bin"), "de");
}

TEST_F(HostileArchive, FetchOfAHostileCifarArchiveWritesNothingOutsideAndInstallsNothing) {
  write_tar(archive_,
            {file_entry("cifar-10-batches-bin/data_batch_1.bin", "x"),
             hardlink_entry("cifar-10-batches-bin/evil", outside_file_.string(), "PWNED\n")});
  const std::string body = slurp(archive_);
  testing::HttpServer server;
  server.route("/c.tar", {200, body, std::nullopt});
  FetchOptions options;
  options.dir = dir_ / "cifar10";
  options.url = server.url("/c.tar");
  options.sha256 = {bytes_digest(body, DigestKind::Sha256)};
  try {
    fetch_dataset(DatasetKind::Cifar10, options);
    FAIL() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("refusing entry 'cifar-10-batches-bin/evil'"));
    EXPECT_THAT(e.what(), HasSubstr("nothing was installed"));
  }
  expect_outside_untouched();
  EXPECT_FALSE(fs::exists(options.dir));
}

}  // namespace
}  // namespace greentune::data
