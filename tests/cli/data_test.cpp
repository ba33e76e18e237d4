// End-to-end: `greentune data fetch|show` as a user runs them, exit codes included.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_test_support.hpp"
#include "cli/idx_files.hpp"
#include "data/http_server.hpp"
#include "greentune/data/checksum.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using greentune::data::testing::HttpServer;
using greentune::idx_testing::idx_header;
using ::testing::HasSubstr;

class DataCli : public CliTest {
 protected:
  DataCli() : CliTest("data") {}

  // An IDX file, gzip'd, as the publisher serves it.
  std::string gz_idx(uint32_t magic, std::initializer_list<uint32_t> dims, size_t body_size) {
    std::string bytes = idx_header(magic, dims);
    for (size_t i = 0; i < body_size; ++i) bytes += static_cast<char>(i % 10);
    const auto file = dir_ / "scratch.gz";
    gzFile out = gzopen(file.c_str(), "wb");
    gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(out);
    return slurp(file);
  }
};

TEST_F(DataCli, FetchOfflineFailsWithExit1AndSaysWhereFilesGo) {
  std::string url;
  {
    HttpServer gone;
    url = gone.url("/");
  }
  const auto target = dir_ / "fm";
  const auto run = run_cli("data fetch fashion-mnist --dir " + target.string() + " --url " + url);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("cannot download " + url + "train-images-idx3-ubyte.gz"));
  EXPECT_THAT(run.err, HasSubstr("put them in " + target.string()));
  EXPECT_THAT(run.err, HasSubstr("dataset-fashion-mnist"));
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(DataCli, FetchFromLocalServerThenShow) {
  HttpServer server;
  const std::vector<std::pair<std::string, std::string>> files = {
      {"train-images-idx3-ubyte.gz", gz_idx(0x803, {100, 28, 28}, 100 * 784)},
      {"train-labels-idx1-ubyte.gz", gz_idx(0x801, {100}, 100)},
      {"t10k-images-idx3-ubyte.gz", gz_idx(0x803, {20, 28, 28}, 20 * 784)},
      {"t10k-labels-idx1-ubyte.gz", gz_idx(0x801, {20}, 20)}};
  std::string hashes;
  for (const auto& [name, body] : files) {
    server.route("/mirror/" + name, {200, body, std::nullopt});
    hashes +=
        " --sha256 " + greentune::data::bytes_digest(body, greentune::data::DigestKind::Sha256);
  }
  const auto target = dir_ / "fm";
  auto run = run_cli("data fetch fashion-mnist --dir " + target.string() + " --url " +
                     server.url("/mirror/") + hashes);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("verified and installed in " + target.string()));
  EXPECT_TRUE(std::filesystem::exists(target / "t10k-labels-idx1-ubyte.gz"));
  EXPECT_EQ(run.err, "") << "no progress output when stderr is not a terminal";

  run = run_cli("data fetch fashion-mnist --dir " + target.string() + " --url " +
                server.url("/mirror/") + hashes);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("already in"));

  run = run_cli("data show fashion-mnist --data-dir " + target.string() + " --validation 0.2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("fashion-mnist/train            80 images  1x28x28"));
  EXPECT_THAT(run.out, HasSubstr("fashion-mnist/validation       20 images"));
  EXPECT_THAT(run.out, HasSubstr("fashion-mnist/test             20 images"));
}

TEST_F(DataCli, BadInputExitsWith2) {
  auto run = run_cli("data fetch imagenet --dir " + dir_.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("unknown dataset 'imagenet'"));
  run = run_cli("data fetch cifar10 --sha256 abc --dir " + dir_.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("expected 64 hexadecimal digits"));
  run = run_cli("data show cifar10 --data-dir " + dir_.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("CIFAR-10 not found"));
  EXPECT_THAT(run.err, HasSubstr("greentune data fetch cifar10"));
}

}  // namespace
