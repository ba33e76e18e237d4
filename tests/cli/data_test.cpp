// End-to-end: `greentune data fetch|show` as a user runs them, exit codes included.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/http_server.hpp"
#include "greentune/data/checksum.hpp"

namespace {

using greentune::data::testing::HttpServer;
using ::testing::HasSubstr;

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class DataCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("greentune-cli-data-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CliRun run_cli(const std::string& arguments) {
    const std::string command = std::string(GREENTUNE_CLI) + " " + arguments + " >" +
                                (dir_ / "out").string() + " 2>" + (dir_ / "err").string() +
                                " </dev/null";
    const int status = std::system(command.c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = slurp(dir_ / "out");
    run.err = slurp(dir_ / "err");
    return run;
  }

  // An IDX file, gzip'd, as the publisher serves it.
  std::string gz_idx(uint32_t magic, std::vector<uint32_t> dims, size_t body_size) {
    std::string bytes;
    dims.insert(dims.begin(), magic);
    for (uint32_t v : dims) {
      for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((v >> shift) & 0xff);
    }
    for (size_t i = 0; i < body_size; ++i) bytes += static_cast<char>(i % 10);
    const auto file = dir_ / "scratch.gz";
    gzFile out = gzopen(file.c_str(), "wb");
    gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(out);
    return slurp(file);
  }

  std::filesystem::path dir_;
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
