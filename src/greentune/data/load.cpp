#include "greentune/data/load.hpp"

#include <fmt/format.h>

#include <future>

#include "greentune/common/error.hpp"
#include "greentune/data/cifar10.hpp"
#include "greentune/data/idx.hpp"
#include "greentune/data/locate.hpp"
#include "greentune/data/split.hpp"

namespace greentune::data {
namespace {

// Independent streams for the three draws, so changing one subset size leaves the others alone.
uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Split load_split(const std::string& dataset, const LoadOptions& options) {
  const DatasetKind kind = parse_dataset_name(dataset);
  const std::string name = dataset_name(kind);
  const DatasetFiles found = locate_dataset(kind, options.data_dir);

  // The test set is read on a second thread while this one inflates the (six times larger)
  // training set; a reader's exception reaches the caller through the future.
  auto test_future = std::async(std::launch::async, [&] {
    return kind == DatasetKind::FashionMnist
               ? read_idx_dataset(found.files[2], found.files[3], name + "/test")
               : read_cifar10_batches({found.files[5]}, name + "/test");
  });
  // (If this throws, the future's destructor waits for the other reader before unwinding on.)
  Dataset train =
      kind == DatasetKind::FashionMnist
          ? read_idx_dataset(found.files[0], found.files[1], name + "/train")
          : read_cifar10_batches({found.files.begin(), found.files.begin() + 5}, name + "/train");
  Dataset test = test_future.get();

  if (train.count() == 0 || test.count() == 0) {
    throw InputError(fmt::format("{} in {} has {} training and {} test images; expected both > 0",
                                 name, found.directory.string(), train.count(), test.count()));
  }
  if (train.channels != test.channels || train.height != test.height || train.width != test.width) {
    throw InputError(fmt::format(
        "{} in {}: training images are {}x{}x{} but test images are {}x{}x{}; expected the same "
        "shape",
        name, found.directory.string(), train.channels, train.height, train.width, test.channels,
        test.height, test.width));
  }

  if (options.train_subset > 0) {
    train = random_subset(train, options.train_subset, derive_seed(options.seed, 0));
  }
  if (options.test_subset > 0) {
    test = random_subset(test, options.test_subset, derive_seed(options.seed, 1));
  }

  Split split;
  if (options.paper_mode) {
    split.train = std::move(train);
    split.validation = test;
    split.test = std::move(test);
    return split;
  }
  auto [carved_train, validation] =
      carve_validation(std::move(train), options.validation_fraction, derive_seed(options.seed, 2),
                       name + "/train", name + "/validation");
  split.train = std::move(carved_train);
  split.validation = std::move(validation);
  split.test = std::move(test);
  return split;
}

}  // namespace greentune::data
