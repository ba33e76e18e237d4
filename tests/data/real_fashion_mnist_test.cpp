// Loads the real FashionMNIST when Debian's dataset-fashion-mnist is installed.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>

#include "greentune/data/load.hpp"

namespace greentune::data {
namespace {

constexpr const char* kSystemCopy = "/usr/share/datasets/fashion-mnist";

TEST(RealFashionMnist, HasSixtyThousandBalancedTrainingImages) {
  if (!std::filesystem::exists(std::filesystem::path(kSystemCopy) / "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << kSystemCopy << " is not installed (Debian package dataset-fashion-mnist)";
  }
  LoadOptions options;
  options.data_dir = kSystemCopy;
  options.paper_mode = true;  // nothing carved, so the training set is whole
  const auto split = load_split("fashion-mnist", options);
  EXPECT_EQ(split.train.count(), 60000u);
  EXPECT_EQ(split.test.count(), 10000u);
  for (const auto* set : {&split.train, &split.test}) {
    EXPECT_EQ(set->height, 28);
    EXPECT_EQ(set->width, 28);
    EXPECT_EQ(set->channels, 1);
    EXPECT_EQ(set->classes, 10);
    EXPECT_EQ(set->images.size(), set->count() * 784);
  }
  std::array<size_t, 10> train_histogram{}, test_histogram{};
  for (uint8_t label : split.train.labels) ++train_histogram.at(label);
  for (uint8_t label : split.test.labels) ++test_histogram.at(label);
  for (size_t c = 0; c < 10; ++c) {
    EXPECT_EQ(train_histogram[c], 6000u) << "class " << c;
    EXPECT_EQ(test_histogram[c], 1000u) << "class " << c;
  }
}

}  // namespace
}  // namespace greentune::data
