#include "greentune/data/split.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>

#include "greentune/common/error.hpp"

namespace greentune::data {
namespace {

// Uniform in [0, bound] without modulo bias.
uint64_t uniform_up_to(std::mt19937_64& engine, uint64_t bound) {
  if (bound == 0) return 0;
  const uint64_t range = bound + 1;
  if (range == 0) return engine();
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % range;
  uint64_t value;
  do {
    value = engine();
  } while (value >= limit);
  return value % range;
}

}  // namespace

std::vector<size_t> seeded_permutation(size_t count, uint64_t seed) {
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 engine(seed);
  for (size_t i = count; i > 1; --i) {
    std::swap(order[i - 1], order[uniform_up_to(engine, i - 1)]);
  }
  return order;
}

Dataset select(const Dataset& dataset, const std::vector<size_t>& indices,
               const std::string& name) {
  Dataset out;
  out.name = name;
  out.channels = dataset.channels;
  out.height = dataset.height;
  out.width = dataset.width;
  out.classes = dataset.classes;
  const size_t image_size = dataset.image_size();
  out.images.resize(indices.size() * image_size);
  out.labels.resize(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    const size_t from = indices[i];
    out.labels[i] = dataset.labels.at(from);
    std::memcpy(out.images.data() + i * image_size, dataset.images.data() + from * image_size,
                image_size);
  }
  return out;
}

Dataset random_subset(const Dataset& dataset, size_t size, uint64_t seed) {
  if (size > dataset.count()) {
    throw InputError(fmt::format("subset of {} images asked from {}, which has only {}", size,
                                 dataset.name, dataset.count()));
  }
  auto order = seeded_permutation(dataset.count(), seed);
  order.resize(size);
  std::sort(order.begin(), order.end());
  return select(dataset, order, dataset.name);
}

std::pair<Dataset, Dataset> carve_validation(const Dataset& dataset, double fraction, uint64_t seed,
                                             const std::string& train_name,
                                             const std::string& validation_name) {
  return carve_validation(Dataset(dataset), fraction, seed, train_name, validation_name);
}

std::pair<Dataset, Dataset> carve_validation(Dataset&& dataset, double fraction, uint64_t seed,
                                             const std::string& train_name,
                                             const std::string& validation_name) {
  if (!(fraction >= 0.0 && fraction < 1.0)) {
    throw InputError(
        fmt::format("validation fraction {} is out of range: expected 0 <= f < 1", fraction));
  }
  const size_t count = dataset.count();
  const auto validation_size =
      static_cast<size_t>(std::llround(fraction * static_cast<double>(count)));
  if (validation_size >= count && count > 0) {
    throw InputError(fmt::format("validation fraction {} of {} images leaves nothing to train on",
                                 fraction, count));
  }
  auto order = seeded_permutation(count, seed);
  std::vector<size_t> validation(order.begin(), order.begin() + validation_size);
  std::vector<size_t> train(order.begin() + validation_size, order.end());
  std::sort(validation.begin(), validation.end());
  std::sort(train.begin(), train.end());
  Dataset held_out = select(dataset, validation, validation_name);

  // Training images move down in place: indices are ascending, so each destination is at or
  // before its source and nothing is overwritten before it is read.
  const size_t image_size = dataset.image_size();
  for (size_t i = 0; i < train.size(); ++i) {
    if (train[i] == i) continue;
    std::memmove(dataset.images.data() + i * image_size,
                 dataset.images.data() + train[i] * image_size, image_size);
    dataset.labels[i] = dataset.labels[train[i]];
  }
  dataset.images.resize(train.size() * image_size);
  dataset.labels.resize(train.size());
  dataset.name = train_name;
  return {std::move(dataset), std::move(held_out)};
}

}  // namespace greentune::data
