#pragma once
// Image classification data as the readers give it: raw bytes, no LibTorch (the nn room turns
// these into tensors once, so training reads tensors, never files).
#include <cstdint>
#include <string>
#include <vector>

namespace greentune::data {

struct Dataset {
  std::string name;  // "fashion-mnist/train", "cifar10/test", ...
  int channels = 0, height = 0, width = 0;
  std::vector<uint8_t> images;  // count x channels x height x width, row-major (NCHW)
  std::vector<uint8_t> labels;  // count, each in [0, classes)
  int classes = 10;
  size_t count() const { return labels.size(); }
  size_t image_size() const { return static_cast<size_t>(channels) * height * width; }
};

struct Split {
  Dataset train;
  Dataset validation;  // carved from the training set (seeded); empty in paper mode
  Dataset test;
};

}  // namespace greentune::data
