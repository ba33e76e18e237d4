// The example of examples/command: `greentune tune` on train_fashion_mnist.py (real PyTorch, real
// FashionMNIST) for 3 rounds on a 2,000-image subset, 1 epoch each.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "command_test_support.hpp"

namespace greentune::command {
namespace {

using testing::CommandTest;
using testing::slurp;

TEST_F(CommandTest, TunesTheFashionMnistExampleEndToEnd) {
  const std::filesystem::path data = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(data / "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "FashionMNIST is not installed (Debian package dataset-fashion-mnist)";
  }
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 cannot import torch (Debian package python3-torch)";
  }
  const std::string script = std::string(GREENTUNE_EXAMPLES_DIR) + "/train_fashion_mnist.py";
  std::ofstream(dir_ / "study.toml") << R"([study]
name = "fm"
storage = "sqlite:fm.db"
objective = "command"
strategy = "random"
rounds = 3
[space]
lr = { type = "float", low = 1e-3, high = 3e-2, log = true }
batch_size = { type = "categorical", choices = [32, 64] }
hidden = { type = "int", low = 32, high = 64, step = 32 }
[command]
argv = ["/usr/bin/python3", ")" + script + R"(", "--lr={lr}", "--batch-size={batch_size}",
        "--hidden={hidden}", "--epochs=1", "--subset=2000", "--threads=1"]
metric = "accuracy"
step = "epoch"
timeout_seconds = 600
)";
  const std::string command = "cd " + dir_.string() + " && " + GREENTUNE_CLI +
                              " tune study.toml > tune.out 2> tune.err && " + GREENTUNE_CLI +
                              " trials fm --storage sqlite:fm.db --json > trials.json";
  ASSERT_EQ(std::system(command.c_str()), 0)
      << slurp(dir_ / "tune.out") << slurp(dir_ / "tune.err");
  const auto trials = nlohmann::json::parse(slurp(dir_ / "trials.json"));
  ASSERT_EQ(trials.size(), 3u);
  for (const auto& t : trials) {
    ASSERT_EQ(t["state"], "complete") << t.dump();
    const double accuracy = t["values"][0].get<double>();
    EXPECT_GT(accuracy, 0.3) << "1 epoch on 2,000 images should beat chance (0.1) easily";
    EXPECT_LE(accuracy, 1.0);
    EXPECT_GT(t["joules"].get<double>(), 0);
    ASSERT_EQ(t["intermediate"].size(), 1u);  // one epoch, one report
    EXPECT_EQ(t["intermediate"][0]["step"], 1);
    EXPECT_EQ(t["intermediate"][0]["values"][0], t["values"][0]);
    const std::string trial_dir = t["attributes"]["trial_dir"].get<std::string>();
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(trial_dir) / "model.pt"));
  }
}

}  // namespace
}  // namespace greentune::command
