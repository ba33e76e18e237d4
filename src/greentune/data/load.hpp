#pragma once
// Finding and loading a dataset by name, with the validation split carved from the training set.
#include <cstdint>
#include <filesystem>
#include <string>

#include "greentune/data/dataset.hpp"

namespace greentune::data {

struct LoadOptions {
  // Where the files are; empty: $GREENTUNE_DATA_DIR, then the datasets' usual places
  // (/usr/share/datasets/fashion-mnist for Debian's dataset-fashion-mnist, ./data/<name>).
  std::filesystem::path data_dir;
  double validation_fraction = 0.1;  // carved from the training set, seeded
  uint64_t seed = 1234;
  // The paper selected hyperparameters on the test set: validation = test, nothing carved.
  bool paper_mode = false;
  size_t train_subset = 0;  // > 0: a seeded random subset of the training set (before the split)
  size_t test_subset = 0;   // > 0: a seeded random subset of the test set
};

// dataset: "fashion-mnist" or "cifar10". Throws InputError naming the files that were looked for
// and where to put them (or the `greentune data fetch` command) when they are missing.
Split load_split(const std::string& dataset, const LoadOptions& options);

}  // namespace greentune::data
