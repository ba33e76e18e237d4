#include "greentune/data/fetch.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/data_fixtures.hpp"
#include "data/http_server.hpp"
#include "greentune/common/error.hpp"
#include "greentune/data/archive.hpp"
#include "greentune/data/checksum.hpp"
#include "greentune/data/cifar10.hpp"
#include "greentune/data/load.hpp"

namespace greentune::data {
namespace {

using ::testing::HasSubstr;
using testing::HttpResponse;
using testing::HttpServer;
using testing::TempDir;

const std::vector<std::string> kFiles = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

std::string as_string(const std::vector<uint8_t>& bytes) {
  return {bytes.begin(), bytes.end()};
}

// The four .gz files of a small FashionMNIST-shaped dataset, as served.
std::map<std::string, std::string> small_fashion_mnist(const TempDir& scratch) {
  testing::write_fashion_mnist(scratch / "source", 120, 30);
  std::map<std::string, std::string> files;
  for (const auto& name : kFiles)
    files[name] = as_string(testing::read_bytes(scratch / "source" / name));
  return files;
}

std::vector<std::string> sha256_of(const std::map<std::string, std::string>& files) {
  std::vector<std::string> out;
  for (const auto& name : kFiles) out.push_back(bytes_digest(files.at(name), DigestKind::Sha256));
  return out;
}

void serve(HttpServer& server, const std::map<std::string, std::string>& files) {
  for (const auto& [name, body] : files) server.route("/fm/" + name, {200, body, std::nullopt});
}

std::vector<std::string> listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  if (!std::filesystem::exists(dir)) return names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    names.push_back(std::filesystem::relative(entry.path(), dir).string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string io_error_of(DatasetKind kind, const FetchOptions& options) {
  try {
    fetch_dataset(kind, options);
  } catch (const IoError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an IoError";
  return {};
}

void write_tar_gz(const std::filesystem::path& file,
                  const std::vector<std::pair<std::string, std::string>>& entries) {
  struct archive* writer = archive_write_new();
  archive_write_add_filter_gzip(writer);
  archive_write_set_options(writer, "gzip:compression-level=1");
  archive_write_set_format_pax_restricted(writer);
  ASSERT_EQ(archive_write_open_filename(writer, file.c_str()), ARCHIVE_OK);
  for (const auto& [name, body] : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(body.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_write_header(writer, entry);
    archive_write_data(writer, body.data(), body.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
}

TEST(Checksum, MatchesStandardTestVectors) {
  EXPECT_EQ(bytes_digest("abc", DigestKind::Md5), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(bytes_digest("abc", DigestKind::Sha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  TempDir dir;
  testing::write_bytes(dir / "abc", {'a', 'b', 'c'});
  EXPECT_EQ(file_digest(dir / "abc", DigestKind::Md5), "900150983cd24fb0d6963f7d28e17f72");
  testing::write_gzip(dir / "abc.gz", {'a', 'b', 'c'});
  EXPECT_EQ(gzip_content_digest(dir / "abc.gz", DigestKind::Sha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(is_hex_digest("900150983cd24fb0d6963f7d28e17f72", DigestKind::Md5));
  EXPECT_FALSE(is_hex_digest("900150983cd24fb0d6963f7d28e17f7g", DigestKind::Md5));
  EXPECT_FALSE(is_hex_digest("900150983cd24fb0d6963f7d28e17f72", DigestKind::Sha256));
}

TEST(FetchPlan, UsesThePublishersLocationsAndDigests) {
  const auto fashion = fetch_plan(DatasetKind::FashionMnist, {});
  ASSERT_EQ(fashion.size(), 4u);
  EXPECT_EQ(
      fashion[0].url,
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz");
  EXPECT_EQ(fashion[0].md5, "8d4fb7e6c68d591d4c3dfef9ec88bf0d");
  EXPECT_EQ(fashion[3].md5, "bb300cfdad3c16e7a12a480ee83cd310");
  EXPECT_EQ(fashion[2].sha256, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073");
  const auto cifar = fetch_plan(DatasetKind::Cifar10, {});
  ASSERT_EQ(cifar.size(), 1u);
  EXPECT_EQ(cifar[0].url, "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
  EXPECT_EQ(cifar[0].md5, "c32a1d4ab5d03f1284b67883e8d87530");
}

TEST(FetchPlan, MirrorAndChecksumOverridesAreValidated) {
  FetchOptions options;
  options.url = "http://mirror.example/fm";
  EXPECT_EQ(fetch_plan(DatasetKind::FashionMnist, options)[1].url,
            "http://mirror.example/fm/train-labels-idx1-ubyte.gz");
  options.sha256 = {std::string(64, 'A')};
  EXPECT_THROW(fetch_plan(DatasetKind::FashionMnist, options), InputError);  // needs 4
  const auto cifar = fetch_plan(DatasetKind::Cifar10, options);
  EXPECT_EQ(cifar[0].sha256, std::string(64, 'a'));
  EXPECT_TRUE(cifar[0].md5.empty());
  options.sha256 = {"abc"};
  EXPECT_THROW(fetch_plan(DatasetKind::Cifar10, options), InputError);
  options.sha256.clear();
  options.url = "ftp://mirror.example/x.tar.gz";
  EXPECT_THROW(fetch_plan(DatasetKind::Cifar10, options), InputError);
}

TEST(Fetch, DownloadsVerifiesAndInstallsWhereLoadingLooks) {
  TempDir dir;
  const auto files = small_fashion_mnist(dir);
  HttpServer server;
  serve(server, files);
  FetchOptions options;
  options.dir = dir / "data" / "fashion-mnist";
  options.url = server.url("/fm/");
  options.sha256 = sha256_of(files);
  const auto result = fetch_dataset(DatasetKind::FashionMnist, options);
  EXPECT_FALSE(result.already_present);
  EXPECT_EQ(result.directory, options.dir);
  size_t total = 0;
  for (const auto& [name, body] : files) total += body.size();
  EXPECT_EQ(result.bytes_downloaded, total);
  EXPECT_EQ(listing(options.dir),
            (std::vector<std::string>{kFiles[2], kFiles[3], kFiles[0], kFiles[1]}));
  EXPECT_EQ(as_string(testing::read_bytes(options.dir / kFiles[0])), files.at(kFiles[0]));

  LoadOptions load;
  load.data_dir = dir / "data";
  const auto split = load_split("fashion-mnist", load);
  EXPECT_EQ(split.train.count() + split.validation.count(), 120u);
  EXPECT_EQ(split.test.count(), 30u);

  // A second fetch finds it and downloads nothing; --force downloads again.
  EXPECT_TRUE(fetch_dataset(DatasetKind::FashionMnist, options).already_present);
  EXPECT_EQ(server.requests(), 4);
  options.force = true;
  EXPECT_FALSE(fetch_dataset(DatasetKind::FashionMnist, options).already_present);
  EXPECT_EQ(server.requests(), 8);
}

TEST(Fetch, ChecksumMismatchLeavesTheTargetAsItWas) {
  TempDir dir;
  const auto files = small_fashion_mnist(dir);
  HttpServer server;
  serve(server, files);
  FetchOptions options;
  options.dir = dir / "target";
  testing::write_bytes(options.dir / "notes.txt", {'k', 'e', 'e', 'p'});
  options.url = server.url("/fm/");
  options.sha256 = sha256_of(files);
  options.sha256[2] = std::string(64, '0');
  const auto message = io_error_of(DatasetKind::FashionMnist, options);
  EXPECT_THAT(message, HasSubstr("checksum mismatch for " + server.url("/fm/") + kFiles[2]));
  EXPECT_THAT(message, HasSubstr("expected " + std::string(64, '0')));
  EXPECT_THAT(message, HasSubstr("nothing was installed"));
  EXPECT_EQ(listing(options.dir), std::vector<std::string>{"notes.txt"});

  // A target directory the fetch created is removed again.
  options.dir = dir / "fresh";
  io_error_of(DatasetKind::FashionMnist, options);
  EXPECT_FALSE(std::filesystem::exists(options.dir));
}

TEST(Fetch, KnownDigestsRejectOtherFiles) {
  TempDir dir;
  const auto files = small_fashion_mnist(dir);
  HttpServer server;
  serve(server, files);
  FetchOptions options;
  options.dir = dir / "target";
  options.url = server.url("/fm/");  // a mirror serving other data than FashionMNIST
  const auto message = io_error_of(DatasetKind::FashionMnist, options);
  EXPECT_THAT(message, HasSubstr("MD5 is " + bytes_digest(files.at(kFiles[0]), DigestKind::Md5) +
                                 ", expected 8d4fb7e6c68d591d4c3dfef9ec88bf0d"));
  EXPECT_FALSE(std::filesystem::exists(options.dir));
}

TEST(Fetch, HttpErrorNamesStatusUrlAndTheManualRoute) {
  TempDir dir;
  const auto files = small_fashion_mnist(dir);
  HttpServer server;
  serve(server, files);
  server.route("/fm/" + kFiles[1], {404, "gone", std::nullopt});
  FetchOptions options;
  options.dir = dir / "target";
  options.url = server.url("/fm/");
  options.sha256 = sha256_of(files);
  const auto message = io_error_of(DatasetKind::FashionMnist, options);
  EXPECT_THAT(message, HasSubstr("cannot download " + server.url("/fm/") + kFiles[1] +
                                 ": the server answered HTTP 404"));
  EXPECT_THAT(message, HasSubstr("put them in " + options.dir.string()));
  EXPECT_FALSE(std::filesystem::exists(options.dir));
}

TEST(Fetch, TruncatedGzipThatMatchesItsChecksumIsStillRefused) {
  TempDir dir;
  auto files = small_fashion_mnist(dir);
  files[kFiles[0]].resize(files[kFiles[0]].size() / 2);
  HttpServer server;
  serve(server, files);
  FetchOptions options;
  options.dir = dir / "target";
  options.url = server.url("/fm/");
  options.sha256 = sha256_of(files);
  const auto message = io_error_of(DatasetKind::FashionMnist, options);
  EXPECT_THAT(message, HasSubstr("is not valid fashion-mnist"));
  EXPECT_THAT(message, HasSubstr(kFiles[0]));
  EXPECT_FALSE(std::filesystem::exists(options.dir));
}

TEST(Fetch, TransferCutShortIsAnError) {
  TempDir dir;
  const auto files = small_fashion_mnist(dir);
  HttpServer server;
  serve(server, files);
  const auto& body = files.at(kFiles[0]);
  server.route("/fm/" + kFiles[0], {200, body.substr(0, 100), body.size()});
  FetchOptions options;
  options.dir = dir / "target";
  options.url = server.url("/fm/");
  options.sha256 = sha256_of(files);
  EXPECT_THAT(io_error_of(DatasetKind::FashionMnist, options),
              HasSubstr("cannot download " + server.url("/fm/") + kFiles[0]));
  EXPECT_FALSE(std::filesystem::exists(options.dir));
}

TEST(Fetch, UnreachableHostSaysWhereToPutTheFilesByHand) {
  TempDir dir;
  std::string url;
  {
    HttpServer closed;  // a port that was just free: nothing listens there any more
    url = closed.url("/fm/");
  }
  FetchOptions options;
  options.dir = dir / "target";
  options.url = url;
  const auto message = io_error_of(DatasetKind::FashionMnist, options);
  EXPECT_THAT(message, HasSubstr("cannot download " + url + kFiles[0]));
  EXPECT_THAT(message, HasSubstr("put them in " + options.dir.string()));
  EXPECT_THAT(message, HasSubstr("dataset-fashion-mnist"));
  options.url = url + "cifar-10-binary.tar.gz";
  EXPECT_THAT(io_error_of(DatasetKind::Cifar10, options),
              HasSubstr((options.dir / "cifar-10-batches-bin" / "data_batch_1.bin").string()));
}

TEST(Fetch, AcceptsAMirrorThatRecompressedTheRealFiles) {
  const std::filesystem::path system = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(system / kFiles[0])) {
    GTEST_SKIP() << system << " is not installed (Debian package dataset-fashion-mnist)";
  }
  // Debian's copies carry the publisher's data under different gzip headers, so their MD5s differ
  // from the published ones; the content digests must recognise them.
  TempDir dir;
  FetchOptions options;
  options.dir = dir / "fm";
  options.url = "file://" + system.string();
  EXPECT_FALSE(fetch_dataset(DatasetKind::FashionMnist, options).already_present);
  EXPECT_EQ(listing(options.dir).size(), 4u);
}

// The publisher's .gz as served, rebuilt from Debian's copy: Debian stripped the gzip header's
// file name (FNAME flag) and time; the compressed data is the same.
std::string published_gz(const std::filesystem::path& debian_copy, uint32_t mtime) {
  const auto raw = as_string(testing::read_bytes(debian_copy));
  std::string name = debian_copy.filename().string();
  name.resize(name.size() - 3);  // without ".gz"
  std::string out = raw.substr(0, 3) + '\x08';
  for (int i = 0; i < 4; ++i) out += static_cast<char>((mtime >> (8 * i)) & 0xff);
  out += raw.substr(8, 2) + name + '\0' + raw.substr(10);
  return out;
}

TEST(Fetch, PublishedFilesPassThePublishersDigests) {
  const std::filesystem::path system = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(system / kFiles[0])) {
    GTEST_SKIP() << system << " is not installed (Debian package dataset-fashion-mnist)";
  }
  TempDir dir;
  HttpServer server;
  const uint32_t times[] = {1504176606, 1504176606, 1504176627, 1504176627};
  const auto plan = fetch_plan(DatasetKind::FashionMnist, {});
  for (size_t i = 0; i < kFiles.size(); ++i) {
    const auto body = published_gz(system / kFiles[i], times[i]);
    ASSERT_EQ(bytes_digest(body, DigestKind::Md5), plan[i].md5) << kFiles[i];
    ASSERT_EQ(bytes_digest(body, DigestKind::Sha256), plan[i].sha256) << kFiles[i];
    server.route("/fm/" + kFiles[i], {200, body, std::nullopt});
  }
  FetchOptions options;
  options.dir = dir / "fm";
  options.url = server.url("/fm");
  EXPECT_FALSE(fetch_dataset(DatasetKind::FashionMnist, options).already_present);
  EXPECT_EQ(file_digest(options.dir / kFiles[3], DigestKind::Md5),
            "bb300cfdad3c16e7a12a480ee83cd310");
}

std::vector<std::pair<std::string, std::string>> cifar_entries() {
  const auto batch = as_string(testing::cifar_batch(kCifar10RecordsPerBatch));
  std::vector<std::pair<std::string, std::string>> entries;
  for (const char* name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                           "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}) {
    entries.emplace_back(std::string("cifar-10-batches-bin/") + name, batch);
  }
  entries.emplace_back("cifar-10-batches-bin/batches.meta.txt", "airplane\nautomobile\n");
  return entries;
}

TEST(Fetch, UnpacksCifarArchiveIntoPlace) {
  TempDir dir;
  write_tar_gz(dir / "cifar.tar.gz", cifar_entries());
  const auto archive = as_string(testing::read_bytes(dir / "cifar.tar.gz"));
  HttpServer server;
  server.route("/c.tgz", {200, archive, std::nullopt});
  FetchOptions options;
  options.dir = dir / "cifar10";
  options.url = server.url("/c.tgz");
  options.sha256 = {bytes_digest(archive, DigestKind::Sha256)};
  const auto result = fetch_dataset(DatasetKind::Cifar10, options);
  EXPECT_EQ(result.directory, dir / "cifar10" / "cifar-10-batches-bin");
  EXPECT_EQ(listing(options.dir).size(), 8u);  // the folder, 6 batches and the meta file
  LoadOptions load;
  load.data_dir = dir.path();
  load.paper_mode = true;
  EXPECT_EQ(load_split("cifar10", load).train.count(), 50000u);
}

TEST(Fetch, CifarArchiveWithoutTheBatchesIsRefused) {
  TempDir dir;
  write_tar_gz(dir / "bad.tar.gz", {{"cifar-10-batches-bin/readme.html", "<p>hi</p>"}});
  const auto archive = as_string(testing::read_bytes(dir / "bad.tar.gz"));
  HttpServer server;
  server.route("/c.tgz", {200, archive, std::nullopt});
  FetchOptions options;
  options.dir = dir / "cifar10";
  options.url = server.url("/c.tgz");
  options.sha256 = {bytes_digest(archive, DigestKind::Sha256)};
  EXPECT_THAT(io_error_of(DatasetKind::Cifar10, options), HasSubstr("is not valid cifar10"));
  EXPECT_FALSE(std::filesystem::exists(options.dir));
}

TEST(Archive, RefusesEntriesThatClimbOut) {
  TempDir dir;
  write_tar_gz(dir / "evil.tar.gz", {{"ok.txt", "fine"}, {"../evil.txt", "bad"}});
  try {
    extract_archive(dir / "evil.tar.gz", dir / "out");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("../evil.txt"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "evil.txt"));
}

TEST(Archive, TruncatedArchiveIsAnInputError) {
  TempDir dir;
  write_tar_gz(dir / "full.tar.gz",
               {{"a.bin", std::string(200000, 'x') + std::string(200000, 'y')}});
  auto bytes = testing::read_bytes(dir / "full.tar.gz");
  bytes.resize(bytes.size() / 2);
  testing::write_bytes(dir / "cut.tar.gz", bytes);
  EXPECT_THROW(extract_archive(dir / "cut.tar.gz", dir / "out"), InputError);
}

}  // namespace
}  // namespace greentune::data
