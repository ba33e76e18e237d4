#include "experiment/experiment_fixtures.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <vector>

#include "cli/idx_files.hpp"

namespace greentune::experiment::testing {
namespace {

void write_pair(const std::filesystem::path& dir, const std::string& prefix, unsigned count,
                unsigned seed) {
  std::mt19937 rng(seed);
  greentune::idx_testing::write_idx_pair(dir, prefix, count, [&](std::string& image) {
    uint8_t label = static_cast<uint8_t>(rng() % 10);
    // Class k lights rows 2k+3 and 2k+4 on top of noise.
    for (int r = 0; r < 28; ++r)
      for (int c = 0; c < 28; ++c) {
        bool band = r == 2 * label + 3 || r == 2 * label + 4;
        image[static_cast<size_t>(r * 28 + c)] =
            static_cast<char>(band ? 200 + rng() % 56 : rng() % 40);
      }
    return label;
  });
}

}  // namespace

TempDir::TempDir(const std::string& name) {
  path_ = std::filesystem::temp_directory_path() /
          fmt::format("greentune-experiment-{}-{}", name, ::getpid());
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_tiny_fashion_mnist(const std::filesystem::path& dir, unsigned train, unsigned test) {
  std::filesystem::create_directories(dir);
  write_pair(dir, "train", train, 1);
  write_pair(dir, "t10k", test, 2);
}

std::string tiny_experiment_toml(const std::filesystem::path& data_dir,
                                 const std::filesystem::path& store, int rounds, double lr_high) {
  return fmt::format(R"([experiment]
name = "tiny"
storage = "sqlite:{}"
strategies = ["random", "grid"]
rounds = {}
repetitions = 2
seed = 7
report = "{}"

[carbon]
grams_per_kwh = 250.0
pue = 1.1

[space.lr]
type = "float"
low = 1e-3
high = {}
log = true

[sampler]
grid_points = 3

[train]
model = "densepoly"
dataset = "fashion-mnist"
data_dir = "{}"
epochs = 1
batch_size = 64
threads = 1

[sweep]
model = "simplecnn"
conv = [1]
linear = [3]
relu = [false, true]
repetitions = 1
[sweep.train]
lr = 3e-3
)",
                     store.string(), rounds, (store.parent_path() / "report").string(), lr_high,
                     data_dir.string());
}

}  // namespace greentune::experiment::testing
