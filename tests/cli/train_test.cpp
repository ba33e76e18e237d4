// End-to-end: `greentune train` on a small FashionMNIST-format set the test writes (a learnable
// pattern), so it runs without the real data: exit codes, output, and the JSON record.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "cli/cli_test_support.hpp"
#include "cli/idx_files.hpp"

namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;

// IDX files (uncompressed) whose class k is a bright square at one of ten places.
void write_idx_pair(const fs::path& dir, const std::string& prefix, uint32_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> noise(0, 80), label(0, 9);
  greentune::idx_testing::write_idx_pair(dir, prefix, count, [&](std::string& image) {
    const int k = label(rng);
    for (auto& p : image) p = static_cast<char>(noise(rng));
    const int top = (k / 5) * 14 + 4, left = (k % 5) * 5 + 1;
    for (int y = top; y < top + 4; ++y) {
      for (int x = left; x < left + 4; ++x)
        image[static_cast<size_t>(y * 28 + x)] = static_cast<char>(250);
    }
    return k;
  });
}

class TrainCli : public CliTest {
 protected:
  TrainCli() : CliTest("train") {}
  void SetUp() override {
    CliTest::SetUp();
    fs::create_directories(dir_ / "fm");
    write_idx_pair(dir_ / "fm", "train", 800, 1);
    write_idx_pair(dir_ / "fm", "t10k", 200, 2);
  }

  std::string data_args() const {
    return "--dataset fashion-mnist --data-dir " + (dir_ / "fm").string() + " --threads 1";
  }
};

TEST_F(TrainCli, TrainsAndWritesTheRecord) {
  // Result files go only into folders that exist (issue 11): greentune makes none for --json.
  fs::create_directories(dir_ / "records");
  const auto json_path = dir_ / "records" / "record.json";
  auto run =
      run_cli("train --model densepoly " + data_args() +
              " --epochs 2 --batch-size 64 --lr 0.002 --beta2 0.95 --json=" + json_path.string());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("threads | BLAS"));
  EXPECT_THAT(run.out, HasSubstr("allocator"));
  EXPECT_THAT(run.out, HasSubstr("test accuracy"));
  EXPECT_THAT(run.err, HasSubstr("epoch 2/2"));
  auto record = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(record["model_spec"], "densepoly:linear=3,act=none");
  EXPECT_EQ(record["parameter_count"], 386718);
  EXPECT_EQ(record["hyperparameters"]["beta2"], 0.95);
  EXPECT_EQ(record["hyperparameters"]["lr"], 0.002);
  EXPECT_EQ(record["dataset"]["train"], 720);  // 10 % of 800 held out for validation
  EXPECT_EQ(record["dataset"]["validation"], 80);
  EXPECT_EQ(record["dataset"]["test"], 200);
  ASSERT_EQ(record["epochs"].size(), 2u);
  EXPECT_EQ(record["epochs"][1]["epoch"], 2);
  EXPECT_EQ(record["epochs"][0]["train_energy"]["name"], "epoch-1/train");
  EXPECT_EQ(record["epochs"][0]["eval_energy"]["name"], "epoch-1/eval");
  EXPECT_GT(record["epochs"][0]["images_per_second"].get<double>(), 0);
  EXPECT_GT(record["test_accuracy"].get<double>(), 0.8);
  EXPECT_EQ(record["machine"]["threads"], 1);
  EXPECT_FALSE(record["machine"]["blas"].get<std::string>().empty());
  EXPECT_FALSE(record["machine"]["allocator"].get<std::string>().empty());
  ASSERT_FALSE(record["energy_sources"].empty());
  EXPECT_TRUE(record["energy_sources"][0].contains("kind"));
  EXPECT_FALSE(record["diverged"].get<bool>());
}

TEST_F(TrainCli, DivergenceIsReportedWithItsOwnExitCode) {
  const auto json_path = dir_ / "diverged.json";
  auto run =
      run_cli("train --model densepoly " + data_args() +
              " --optimizer sgd --lr 1e6 --epochs 3 --no-energy --json=" + json_path.string());
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("diverged"));
  auto record = nlohmann::json::parse(slurp(json_path));
  EXPECT_TRUE(record["diverged"].get<bool>());
  // It stops in the epoch where the loss stopped being finite.
  const auto epochs = record["epochs"].size();
  EXPECT_LT(epochs, 3u);
  EXPECT_THAT(record["diverged_reason"].get<std::string>(),
              HasSubstr("at epoch " + std::to_string(epochs)));
}

TEST_F(TrainCli, BadInputExitsWithTwoAndNamesIt) {
  auto run = run_cli("train --model simplecnn:conv=9 " + data_args());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("conv=9"));
  run = run_cli("train --model densepoly " + data_args() + " --beta1 1.5");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("beta1=1.5"));
  run = run_cli("train --model densepoly " + data_args() + " --device tpu");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("tpu"));
  run = run_cli("train --model densepoly --dataset fashion-mnist --data-dir " +
                (dir_ / "nowhere").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "never.json"));
}

TEST_F(TrainCli, NumbersOutOfRangeAreRefusedWithTheFlagNamed) {
  // -1 threads and a subset of 0 images were accepted silently; --seed -1 wrapped to 2^64 - 1.
  const std::pair<const char*, const char*> cases[] = {{"--threads -1", "--threads"},
                                                       {"--threads 5000", "--threads"},
                                                       {"--subset 0", "leave --subset out"},
                                                       {"--test-subset -5", "--test-subset"},
                                                       {"--seed -1", "--seed"}};
  for (const auto& [flags, named] : cases) {
    auto run = run_cli("train --model densepoly --dataset fashion-mnist --data-dir " +
                       (dir_ / "fm").string() + " " + flags);
    EXPECT_EQ(run.exit_code, 2) << flags;
    EXPECT_THAT(run.err, HasSubstr(named)) << flags;
    EXPECT_THAT(run.err, ::testing::Not(HasSubstr("epoch 1"))) << flags;
  }
}

TEST_F(TrainCli, AJsonPathInAMissingFolderFailsBeforeTraining) {
  auto run = run_cli("train --model densepoly " + data_args() + " --json=nowhere/r.json");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("nowhere"));
  EXPECT_THAT(run.err, ::testing::Not(HasSubstr("epoch 1")));
  EXPECT_FALSE(fs::exists(dir_ / "nowhere"));
}

}  // namespace
