// How long getting FashionMNIST into memory takes: the whole load_split (what `greentune train`
// waits for before the first batch) and its parts. Needs Debian's dataset-fashion-mnist.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "greentune/data/idx.hpp"
#include "greentune/data/load.hpp"
#include "greentune/data/split.hpp"

namespace {

const std::filesystem::path kSystemCopy = "/usr/share/datasets/fashion-mnist";

bool have_data(benchmark::State& state) {
  if (std::filesystem::exists(kSystemCopy / "train-images-idx3-ubyte.gz")) return true;
  state.SkipWithError("needs /usr/share/datasets/fashion-mnist (dataset-fashion-mnist)");
  return false;
}

void BM_LoadSplitFashionMnist(benchmark::State& state) {
  if (!have_data(state)) return;
  greentune::data::LoadOptions options;
  options.data_dir = kSystemCopy;
  for (auto _ : state) {
    auto split = greentune::data::load_split("fashion-mnist", options);
    benchmark::DoNotOptimize(split.train.images.data());
  }
  state.SetItemsProcessed(state.iterations() * 70000);
}
BENCHMARK(BM_LoadSplitFashionMnist)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadTrainImagesGz(benchmark::State& state) {
  if (!have_data(state)) return;
  for (auto _ : state) {
    auto images = greentune::data::read_idx_images(kSystemCopy / "train-images-idx3-ubyte.gz");
    benchmark::DoNotOptimize(images.pixels.data());
  }
  state.SetBytesProcessed(state.iterations() * 60000 * 784);
}
BENCHMARK(BM_ReadTrainImagesGz)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CarveValidation(benchmark::State& state) {
  greentune::data::Dataset data;
  data.channels = 1;
  data.height = data.width = 28;
  data.images.assign(60000 * 784, 7);
  data.labels.assign(60000, 3);
  for (auto _ : state) {
    auto parts = greentune::data::carve_validation(data, 0.1, 1, "t", "v");
    benchmark::DoNotOptimize(parts.first.images.data());
  }
}
BENCHMARK(BM_CarveValidation)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
