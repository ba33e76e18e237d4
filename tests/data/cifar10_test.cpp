#include "greentune/data/cifar10.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/data_fixtures.hpp"
#include "greentune/common/error.hpp"

namespace greentune::data {
namespace {

using testing::cifar_batch;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_bytes;

std::string input_error_of(const std::vector<std::filesystem::path>& files, size_t records) {
  try {
    read_cifar10_batches(files, "cifar10/train", records);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return {};
}

TEST(Cifar10Reader, ConcatenatesBatchesKeepingChannelMajorPixels) {
  TempDir dir;
  write_bytes(dir / "data_batch_1.bin", cifar_batch(20));
  write_bytes(dir / "data_batch_2.bin", cifar_batch(20));
  const auto dataset = read_cifar10_batches({dir / "data_batch_1.bin", dir / "data_batch_2.bin"},
                                            "cifar10/train", 20);
  EXPECT_EQ(dataset.count(), 40u);
  EXPECT_EQ(dataset.channels, 3);
  EXPECT_EQ(dataset.height, 32);
  EXPECT_EQ(dataset.width, 32);
  ASSERT_EQ(dataset.images.size(), 40u * 3072);
  EXPECT_EQ(dataset.labels[13], 3);
  EXPECT_EQ(dataset.labels[20 + 7], 7);
  // Record 13 of batch 2, channel 1 (green), row 2, column 5.
  const size_t c = 1 * 1024 + 2 * 32 + 5;
  EXPECT_EQ(dataset.images[(20 + 13) * 3072 + c], static_cast<uint8_t>((13 + c) % 256));
}

TEST(Cifar10Reader, WrongSizeNamesFileAndExpectedSize) {
  TempDir dir;
  auto bytes = cifar_batch(10);
  bytes.pop_back();
  write_bytes(dir / "data_batch_3.bin", bytes);
  const auto message = input_error_of({dir / "data_batch_3.bin"}, 10);
  EXPECT_THAT(message, HasSubstr("data_batch_3.bin: 30729 bytes, expected 30730"));
  // The real format's size is the default: 10000 records.
  write_bytes(dir / "small.bin", cifar_batch(10));
  try {
    read_cifar10_batches({dir / "small.bin"}, "cifar10/test");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("expected 30730000 (10000 records"));
  }
}

TEST(Cifar10Reader, LabelOutOfRangeNamesRecord) {
  TempDir dir;
  auto bytes = cifar_batch(10);
  bytes[4 * 3073] = 11;
  write_bytes(dir / "test_batch.bin", bytes);
  EXPECT_THAT(input_error_of({dir / "test_batch.bin"}, 10),
              HasSubstr("test_batch.bin: label 11 in record 4 is out of range 0..9"));
}

TEST(Cifar10Reader, MissingFileIsAnIoError) {
  TempDir dir;
  EXPECT_THROW(read_cifar10_batches({dir / "data_batch_1.bin"}, "cifar10/train", 10), IoError);
}

}  // namespace
}  // namespace greentune::data
