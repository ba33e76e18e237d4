#include "greentune/data/locate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>

#include "data/data_fixtures.hpp"
#include "greentune/common/error.hpp"

namespace greentune::data {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_fashion_mnist;

// Sets $GREENTUNE_DATA_DIR for one test and restores what was there.
class ScopedDataDir {
 public:
  explicit ScopedDataDir(const std::filesystem::path& value) {
    if (const char* old = std::getenv("GREENTUNE_DATA_DIR")) old_ = old;
    ::setenv("GREENTUNE_DATA_DIR", value.c_str(), 1);
  }
  ~ScopedDataDir() {
    if (old_) {
      ::setenv("GREENTUNE_DATA_DIR", old_->c_str(), 1);
    } else {
      ::unsetenv("GREENTUNE_DATA_DIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(DatasetNames, AcceptsCommonSpellings) {
  EXPECT_EQ(parse_dataset_name("fashion-mnist"), DatasetKind::FashionMnist);
  EXPECT_EQ(parse_dataset_name("FashionMNIST"), DatasetKind::FashionMnist);
  EXPECT_EQ(parse_dataset_name("fashion_mnist"), DatasetKind::FashionMnist);
  EXPECT_EQ(parse_dataset_name("cifar10"), DatasetKind::Cifar10);
  EXPECT_EQ(parse_dataset_name("CIFAR-10"), DatasetKind::Cifar10);
  try {
    parse_dataset_name("imagenet");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("unknown dataset 'imagenet': expected fashion-mnist or cifar10"));
  }
}

TEST(LocateDataset, SearchOrderIsEnvThenSystemThenLocal) {
  ScopedDataDir env("/env/data");
  const auto dirs = candidate_directories(DatasetKind::FashionMnist, {});
  ASSERT_EQ(dirs.size(), 3u);
  EXPECT_EQ(dirs[0], std::filesystem::path("/env/data/fashion-mnist"));
  EXPECT_EQ(dirs[1], std::filesystem::path("/usr/share/datasets/fashion-mnist"));
  EXPECT_EQ(dirs[2], std::filesystem::path("data/fashion-mnist"));
  const auto cifar = candidate_directories(DatasetKind::Cifar10, {});
  EXPECT_EQ(cifar.front(), std::filesystem::path("/env/data/cifar10"));
  EXPECT_THAT(cifar,
              ::testing::Contains(std::filesystem::path("/env/data/cifar10/cifar-10-batches-bin")));
  EXPECT_THAT(cifar, ::testing::Not(::testing::Contains(
                         std::filesystem::path("/usr/share/datasets/fashion-mnist"))));
}

TEST(LocateDataset, ExplicitDirectoryIsTheOnlyPlaceLooked) {
  ScopedDataDir env("/env/data");
  const auto dirs = candidate_directories(DatasetKind::FashionMnist, "/mine");
  EXPECT_EQ(dirs, (std::vector<std::filesystem::path>{"/mine", "/mine/fashion-mnist"}));
}

TEST(LocateDataset, EnvironmentDirectoryWinsOverTheSystemCopy) {
  TempDir dir;
  write_fashion_mnist(dir / "fashion-mnist", 10, 10);
  ScopedDataDir env(dir.path());
  const auto found = locate_dataset(DatasetKind::FashionMnist);
  EXPECT_EQ(found.directory, dir / "fashion-mnist");
  ASSERT_EQ(found.files.size(), 4u);
  EXPECT_EQ(found.files[0], dir / "fashion-mnist" / "train-images-idx3-ubyte.gz");
  EXPECT_EQ(found.files[3], dir / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz");
}

TEST(LocateDataset, AcceptsUncompressedFilesAndParentFolders) {
  TempDir dir;
  write_fashion_mnist(dir / "fashion-mnist", 10, 10, /*gz=*/false);
  const auto found = locate_dataset(DatasetKind::FashionMnist, dir.path());
  EXPECT_EQ(found.directory, dir / "fashion-mnist");
  EXPECT_EQ(found.files[1], dir / "fashion-mnist" / "train-labels-idx1-ubyte");
}

TEST(LocateDataset, FindsCifarInItsArchiveFolder) {
  TempDir dir;
  for (const char* name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                           "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}) {
    testing::write_bytes(dir / "cifar-10-batches-bin" / name, {1});
  }
  const auto found = locate_dataset(DatasetKind::Cifar10, dir.path());
  EXPECT_EQ(found.directory, dir / "cifar-10-batches-bin");
  EXPECT_EQ(found.files.back(), dir / "cifar-10-batches-bin" / "test_batch.bin");
}

TEST(LocateDataset, MissingFilesMessageListsPlacesAndRemedies) {
  TempDir dir;
  // Three of four files are not enough.
  write_fashion_mnist(dir.path(), 10, 10);
  std::filesystem::remove(dir / "t10k-labels-idx1-ubyte.gz");
  try {
    locate_dataset(DatasetKind::FashionMnist, dir.path());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("FashionMNIST not found"));
    EXPECT_THAT(message, HasSubstr("t10k-labels-idx1-ubyte"));
    EXPECT_THAT(message, HasSubstr(dir.path().string()));
    EXPECT_THAT(message, HasSubstr((dir / "fashion-mnist").string()));
    EXPECT_THAT(message, HasSubstr("greentune data fetch fashion-mnist"));
    EXPECT_THAT(message, HasSubstr("dataset-fashion-mnist"));
  }
  try {
    locate_dataset(DatasetKind::Cifar10, dir.path());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("greentune data fetch cifar10"));
    EXPECT_THAT(e.what(), HasSubstr((dir / "cifar-10-batches-bin").string()));
  }
}

}  // namespace
}  // namespace greentune::data
