#include "greentune/data/idx.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/data_fixtures.hpp"
#include "greentune/common/error.hpp"

namespace greentune::data {
namespace {

using testing::cycle_labels;
using ::testing::HasSubstr;
using testing::idx_bytes;
using testing::image_pixels;
using testing::TempDir;
using testing::write_bytes;
using testing::write_gzip;

template <typename F>
std::string input_error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return {};
}

TEST(IdxReader, ReadsRawAndGzipImagesAlike) {
  TempDir dir;
  const auto bytes = idx_bytes(kIdxImagesMagic, {5, 3, 4}, image_pixels(5, 3, 4));
  write_bytes(dir / "raw-idx3-ubyte", bytes);
  write_gzip(dir / "packed-idx3-ubyte.gz", bytes);
  for (const char* name : {"raw-idx3-ubyte", "packed-idx3-ubyte.gz"}) {
    const auto images = read_idx_images(dir / name);
    EXPECT_EQ(images.count, 5u);
    EXPECT_EQ(images.rows, 3u);
    EXPECT_EQ(images.cols, 4u);
    EXPECT_EQ(images.pixels, image_pixels(5, 3, 4)) << name;
  }
}

TEST(IdxReader, ReadsLabelsAndPairsThemWithImages) {
  TempDir dir;
  write_gzip(dir / "i.gz", idx_bytes(kIdxImagesMagic, {12, 28, 28}, image_pixels(12, 28, 28)));
  write_gzip(dir / "l.gz", idx_bytes(kIdxLabelsMagic, {12}, cycle_labels(12)));
  const auto dataset = read_idx_dataset(dir / "i.gz", dir / "l.gz", "fashion-mnist/train");
  EXPECT_EQ(dataset.name, "fashion-mnist/train");
  EXPECT_EQ(dataset.count(), 12u);
  EXPECT_EQ(dataset.channels, 1);
  EXPECT_EQ(dataset.height, 28);
  EXPECT_EQ(dataset.width, 28);
  EXPECT_EQ(dataset.image_size(), 784u);
  EXPECT_EQ(dataset.labels, cycle_labels(12));
  EXPECT_EQ(dataset.images, image_pixels(12, 28, 28));
}

TEST(IdxReader, TruncatedImagesNameTheFileAndTheSizes) {
  TempDir dir;
  auto pixels = image_pixels(10, 28, 28);
  pixels.resize(1000);
  for (bool gz : {false, true}) {
    const auto file = dir / (gz ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte");
    const auto bytes = idx_bytes(kIdxImagesMagic, {10, 28, 28}, pixels);
    gz ? write_gzip(file, bytes) : write_bytes(file, bytes);
    const auto message = input_error_of([&] { read_idx_images(file); });
    EXPECT_THAT(message, HasSubstr(file.string()));
    EXPECT_THAT(message,
                HasSubstr("truncated: header says 10 images of 28x28 = 7840 bytes, file has 1000"));
  }
}

TEST(IdxReader, TruncatedHeaderIsAnInputError) {
  TempDir dir;
  write_bytes(dir / "short", {0, 0, 8, 3, 0, 0});
  EXPECT_THAT(input_error_of([&] { read_idx_images(dir / "short"); }), HasSubstr("truncated"));
  write_bytes(dir / "empty", {});
  EXPECT_THAT(input_error_of([&] { read_idx_labels(dir / "empty"); }), HasSubstr("truncated"));
}

TEST(IdxReader, CutGzipStreamIsAnInputError) {
  TempDir dir;
  write_gzip(dir / "full.gz", idx_bytes(kIdxImagesMagic, {50, 28, 28}, image_pixels(50, 28, 28)));
  auto bytes = testing::read_bytes(dir / "full.gz");
  bytes.resize(bytes.size() / 2);
  write_bytes(dir / "cut.gz", bytes);
  const auto message = input_error_of([&] { read_idx_images(dir / "cut.gz"); });
  EXPECT_THAT(message, HasSubstr((dir / "cut.gz").string()));
}

TEST(IdxReader, BadMagicSaysWhatWasExpected) {
  TempDir dir;
  // A labels file given where images are expected, and vice versa.
  write_bytes(dir / "labels", idx_bytes(kIdxLabelsMagic, {3}, {1, 2, 3}));
  EXPECT_THAT(input_error_of([&] { read_idx_images(dir / "labels"); }),
              HasSubstr("bad magic number 0x00000801, expected 0x00000803"));
  write_bytes(dir / "images", idx_bytes(kIdxImagesMagic, {1, 2, 2}, {1, 2, 3, 4}));
  EXPECT_THAT(input_error_of([&] { read_idx_labels(dir / "images"); }),
              HasSubstr("bad magic number 0x00000803, expected 0x00000801"));
  // Not IDX at all: a float IDX (type 0x0d).
  write_bytes(dir / "floats", idx_bytes(0x00000d03, {1, 1, 1}, {0, 0, 0, 0}));
  EXPECT_THAT(input_error_of([&] { read_idx_images(dir / "floats"); }),
              HasSubstr("bad magic number 0x00000d03"));
}

TEST(IdxReader, WrongDimensionsAreRejected) {
  TempDir dir;
  write_bytes(dir / "zero-rows", idx_bytes(kIdxImagesMagic, {2, 0, 28}, {}));
  EXPECT_THAT(input_error_of([&] { read_idx_images(dir / "zero-rows"); }),
              HasSubstr("image size 0x28 is not plausible"));
  // The body matches 2 images of 28x28 but the header claims 2 of 14x28: extra bytes remain.
  write_bytes(dir / "wrong-dims", idx_bytes(kIdxImagesMagic, {2, 14, 28}, image_pixels(2, 28, 28)));
  EXPECT_THAT(input_error_of([&] { read_idx_images(dir / "wrong-dims"); }),
              HasSubstr("784 unexpected byte(s) after the data: header says 2 images of 14x28"));
}

TEST(IdxReader, LabelOutOfRangeNamesIndexAndRange) {
  TempDir dir;
  auto labels = cycle_labels(8);
  labels[5] = 11;
  const auto file = dir / "train-labels-idx1-ubyte.gz";
  write_gzip(file, idx_bytes(kIdxLabelsMagic, {8}, labels));
  EXPECT_THAT(input_error_of([&] { read_idx_labels(file); }),
              HasSubstr("train-labels-idx1-ubyte.gz: label 11 at index 5 is out of range 0..9"));
}

TEST(IdxReader, ImageAndLabelCountsMustAgree) {
  TempDir dir;
  write_bytes(dir / "i", idx_bytes(kIdxImagesMagic, {4, 2, 2}, image_pixels(4, 2, 2)));
  write_bytes(dir / "l", idx_bytes(kIdxLabelsMagic, {3}, cycle_labels(3)));
  const auto message = input_error_of([&] { read_idx_dataset(dir / "i", dir / "l", "x"); });
  EXPECT_THAT(message, HasSubstr("has 4 images but"));
  EXPECT_THAT(message, HasSubstr("has 3 labels"));
}

TEST(IdxReader, HugeClaimedCountFailsAsTruncatedWithoutAllocatingIt) {
  TempDir dir;
  write_bytes(dir / "liar",
              idx_bytes(kIdxImagesMagic, {0xffffffffu, 28, 28}, image_pixels(1, 28, 28)));
  EXPECT_THAT(input_error_of([&] { read_idx_images(dir / "liar"); }),
              HasSubstr("truncated: header says 4294967295 images of 28x28"));
}

TEST(IdxReader, MissingFileIsAnIoErrorNamingIt) {
  TempDir dir;
  try {
    read_idx_labels(dir / "nope.gz");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("nope.gz"));
  }
}

}  // namespace
}  // namespace greentune::data
