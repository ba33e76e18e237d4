#include "experiment/experiment_fixtures.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <vector>

namespace greentune::experiment::testing {
namespace {

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void write(const std::filesystem::path& file, const std::vector<uint8_t>& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void write_pair(const std::filesystem::path& dir, const std::string& prefix, unsigned count,
                unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> images, labels;
  put_u32(images, 0x803);
  put_u32(images, count);
  put_u32(images, 28);
  put_u32(images, 28);
  put_u32(labels, 0x801);
  put_u32(labels, count);
  for (unsigned i = 0; i < count; ++i) {
    uint8_t label = static_cast<uint8_t>(rng() % 10);
    labels.push_back(label);
    // Class k lights rows 2k+3 and 2k+4 on top of noise.
    for (int r = 0; r < 28; ++r)
      for (int c = 0; c < 28; ++c) {
        bool band = r == 2 * label + 3 || r == 2 * label + 4;
        images.push_back(static_cast<uint8_t>(band ? 200 + rng() % 56 : rng() % 40));
      }
  }
  write(dir / (prefix + "-images-idx3-ubyte"), images);
  write(dir / (prefix + "-labels-idx1-ubyte"), labels);
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
