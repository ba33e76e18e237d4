#include "greentune/data/split.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "data/data_fixtures.hpp"
#include "greentune/common/error.hpp"
#include "greentune/data/cifar10.hpp"
#include "greentune/data/load.hpp"

namespace greentune::data {
namespace {

using testing::TempDir;

// A dataset whose image i is one byte equal to i (mod 256) and a second byte i / 256, so every
// image is unique and its origin can be read back.
Dataset numbered(size_t count) {
  Dataset d;
  d.name = "numbered";
  d.channels = 1;
  d.height = 1;
  d.width = 2;
  for (size_t i = 0; i < count; ++i) {
    d.images.push_back(static_cast<uint8_t>(i % 256));
    d.images.push_back(static_cast<uint8_t>(i / 256));
    d.labels.push_back(static_cast<uint8_t>(i % 10));
  }
  return d;
}

std::set<size_t> origins(const Dataset& d) {
  std::set<size_t> out;
  for (size_t i = 0; i < d.count(); ++i) {
    const size_t origin = d.images[2 * i] + 256 * size_t{d.images[2 * i + 1]};
    EXPECT_EQ(d.labels[i], origin % 10) << "label travelled with its image";
    out.insert(origin);
  }
  return out;
}

TEST(SeededPermutation, IsAPermutationFixedBySeed) {
  const auto a = seeded_permutation(1000, 7);
  const auto b = seeded_permutation(1000, 7);
  const auto c = seeded_permutation(1000, 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_TRUE(seeded_permutation(0, 1).empty());
}

TEST(CarveValidation, TakesTenPercentDisjointAndComplete) {
  const auto data = numbered(1000);
  const auto [train, validation] = carve_validation(data, 0.1, 42, "t", "v");
  EXPECT_EQ(train.count(), 900u);
  EXPECT_EQ(validation.count(), 100u);
  EXPECT_EQ(train.name, "t");
  EXPECT_EQ(validation.name, "v");
  const auto t = origins(train), v = origins(validation);
  EXPECT_EQ(t.size(), 900u);
  EXPECT_EQ(v.size(), 100u);
  std::vector<size_t> both;
  std::set_intersection(t.begin(), t.end(), v.begin(), v.end(), std::back_inserter(both));
  EXPECT_TRUE(both.empty());
  // Not simply the last 10 %.
  EXPECT_LT(*v.begin(), 800u);
}

TEST(CarveValidation, SameSeedSameSplitOtherSeedOtherSplit) {
  const auto data = numbered(500);
  const auto a = carve_validation(data, 0.2, 1, "t", "v");
  const auto b = carve_validation(data, 0.2, 1, "t", "v");
  const auto c = carve_validation(data, 0.2, 2, "t", "v");
  EXPECT_EQ(a.second.images, b.second.images);
  EXPECT_EQ(a.first.labels, b.first.labels);
  EXPECT_NE(origins(a.second), origins(c.second));
}

TEST(CarveValidation, RejectsFractionsOutOfRange) {
  const auto data = numbered(10);
  EXPECT_THROW(carve_validation(data, 1.0, 1, "t", "v"), InputError);
  EXPECT_THROW(carve_validation(data, -0.1, 1, "t", "v"), InputError);
  EXPECT_THROW(carve_validation(data, 0.97, 1, "t", "v"), InputError);  // rounds to all 10
  const auto [train, validation] = carve_validation(data, 0.0, 1, "t", "v");
  EXPECT_EQ(train.count(), 10u);
  EXPECT_EQ(validation.count(), 0u);
}

TEST(RandomSubset, SeededAndWithinBounds) {
  const auto data = numbered(300);
  const auto a = random_subset(data, 50, 9);
  EXPECT_EQ(a.count(), 50u);
  EXPECT_EQ(origins(a).size(), 50u);
  EXPECT_EQ(a.images, random_subset(data, 50, 9).images);
  EXPECT_NE(a.images, random_subset(data, 50, 10).images);
  EXPECT_THROW(random_subset(data, 301, 9), InputError);
}

TEST(LoadSplit, CarvesValidationFromTrainAndKeepsTestWhole) {
  TempDir dir;
  testing::write_fashion_mnist(dir.path(), 200, 50);
  LoadOptions options;
  options.data_dir = dir.path();
  const auto split = load_split("fashion-mnist", options);
  EXPECT_EQ(split.train.count(), 180u);
  EXPECT_EQ(split.validation.count(), 20u);
  EXPECT_EQ(split.test.count(), 50u);
  EXPECT_EQ(split.train.name, "fashion-mnist/train");
  EXPECT_EQ(split.validation.name, "fashion-mnist/validation");
  EXPECT_EQ(split.test.name, "fashion-mnist/test");
  EXPECT_EQ(split.test.images, testing::image_pixels(50, 28, 28));
  EXPECT_EQ(split.validation.height, 28);
  // Deterministic for a seed.
  EXPECT_EQ(load_split("fashion-mnist", options).validation.images, split.validation.images);
  options.seed = 99;
  EXPECT_NE(load_split("fashion-mnist", options).validation.images, split.validation.images);
}

TEST(LoadSplit, PaperModeValidatesOnTheTestSet) {
  TempDir dir;
  testing::write_fashion_mnist(dir.path(), 200, 50, /*gz=*/false);
  LoadOptions options;
  options.data_dir = dir.path();
  options.paper_mode = true;
  const auto split = load_split("fashion-mnist", options);
  EXPECT_EQ(split.train.count(), 200u);
  EXPECT_EQ(split.validation.count(), 50u);
  EXPECT_EQ(split.validation.images, split.test.images);
}

TEST(LoadSplit, SubsetsComeBeforeTheSplit) {
  TempDir dir;
  testing::write_fashion_mnist(dir.path(), 200, 50);
  LoadOptions options;
  options.data_dir = dir.path();
  options.train_subset = 100;
  options.test_subset = 30;
  options.validation_fraction = 0.2;
  const auto split = load_split("fashion-mnist", options);
  EXPECT_EQ(split.train.count(), 80u);
  EXPECT_EQ(split.validation.count(), 20u);
  EXPECT_EQ(split.test.count(), 30u);
  options.test_subset = 51;
  EXPECT_THROW(load_split("fashion-mnist", options), InputError);
}

TEST(LoadSplit, TrainAndTestMustShareAShapeAndBeNonEmpty) {
  TempDir dir;
  testing::write_fashion_mnist(dir.path(), 20, 10);
  testing::write_gzip(dir / "t10k-images-idx3-ubyte.gz",
                      testing::idx_bytes(0x803, {10, 32, 32}, testing::image_pixels(10, 32, 32)));
  LoadOptions options;
  options.data_dir = dir.path();
  try {
    load_split("fashion-mnist", options);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(),
                ::testing::HasSubstr("training images are 1x28x28 but test images are 1x32x32"));
  }
  testing::write_fashion_mnist(dir.path(), 0, 10);
  try {
    load_split("fashion-mnist", options);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("has 0 training and 10 test images"));
  }
}

TEST(LoadSplit, ErrorsInEitherSetReachTheCaller) {
  TempDir dir;
  testing::write_fashion_mnist(dir.path(), 20, 10);
  auto labels = testing::cycle_labels(10);
  labels[3] = 11;
  testing::write_gzip(dir / "t10k-labels-idx1-ubyte.gz", testing::idx_bytes(0x801, {10}, labels));
  LoadOptions options;
  options.data_dir = dir.path();
  try {
    load_split("fashion-mnist", options);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("t10k-labels-idx1-ubyte.gz: label 11 at index 3"));
  }
  testing::write_fashion_mnist(dir.path(), 20, 10);
  testing::write_gzip(dir / "train-images-idx3-ubyte.gz", testing::idx_bytes(0x801, {1}, {0}));
  EXPECT_THROW(load_split("fashion-mnist", options), InputError);
}

TEST(LoadSplit, LoadsCifarBatches) {
  TempDir dir;
  const auto batch = testing::cifar_batch(kCifar10RecordsPerBatch);
  for (const char* name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                           "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}) {
    testing::write_bytes(dir / "cifar-10-batches-bin" / name, batch);
  }
  LoadOptions options;
  options.data_dir = dir.path();
  const auto split = load_split("cifar10", options);
  EXPECT_EQ(split.train.count(), 45000u);
  EXPECT_EQ(split.validation.count(), 5000u);
  EXPECT_EQ(split.test.count(), 10000u);
  EXPECT_EQ(split.train.channels, 3);
  EXPECT_EQ(split.test.labels[1234], 4);
}

TEST(LoadSplit, UnknownDatasetIsAnInputError) {
  EXPECT_THROW(load_split("mnist-of-doom", LoadOptions{}), InputError);
}

}  // namespace
}  // namespace greentune::data
