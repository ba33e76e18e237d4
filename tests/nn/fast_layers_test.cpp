// greentune's CPU layers against LibTorch's reference ops: forward outputs, every gradient, the
// BatchNorm running statistics, and the same results whatever the thread count.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>
#include <vector>

#include "greentune/nn/fast_layers.hpp"

using namespace greentune::nn;

namespace {

// Relative to the largest reference value: sums of up to a few thousand products in float.
void expect_close(const torch::Tensor& ours, const torch::Tensor& reference, const char* what,
                  double tolerance = 2e-5) {
  ASSERT_EQ(ours.sizes(), reference.sizes()) << what;
  const double scale = std::max(1.0, reference.abs().max().item<double>());
  const double error = (ours - reference).abs().max().item<double>();
  EXPECT_LE(error, tolerance * scale) << what << ": max abs error " << error << ", scale " << scale;
}

struct ConvCase {
  int64_t n, in, out, h, w;
};

class FastConv : public ::testing::TestWithParam<ConvCase> {};

}  // namespace

TEST_P(FastConv, MatchesConv2dForwardAndBackward) {
  const auto c = GetParam();
  torch::manual_seed(11);
  FastConv2d fast(c.in, c.out);
  torch::nn::Conv2d reference(torch::nn::Conv2dOptions(c.in, c.out, 3).stride(1).padding(1));
  {
    torch::NoGradGuard no_grad;
    reference->weight.copy_(fast->weight);
    reference->bias.copy_(fast->bias);
  }
  auto x = torch::randn({c.n, c.in, c.h, c.w});
  auto a = x.clone().requires_grad_();
  auto b = x.clone().requires_grad_();
  ASSERT_TRUE(fast->uses_own_kernel(a));
  auto ours = fast->forward(a);
  auto theirs = reference->forward(b);
  expect_close(ours, theirs, "output");
  auto upstream = torch::randn(theirs.sizes());
  ours.backward(upstream);
  theirs.backward(upstream);
  expect_close(a.grad(), b.grad(), "input gradient");
  expect_close(fast->weight.grad(), reference->weight.grad(), "weight gradient");
  expect_close(fast->bias.grad(), reference->bias.grad(), "bias gradient");
}

INSTANTIATE_TEST_SUITE_P(Shapes, FastConv,
                         ::testing::Values(ConvCase{4, 1, 3, 28, 28},   // SimpleCNN FM block 1
                                           ConvCase{3, 3, 9, 14, 14},   // FM block 2
                                           ConvCase{2, 9, 27, 16, 16},  // CIFAR-10 block 2
                                           ConvCase{2, 2, 5, 5, 7},     // odd sizes, blocks of 4+1
                                           ConvCase{17, 1, 1, 1, 1},    // 1x1 planes, 2 chunks
                                           ConvCase{33, 3, 4, 3, 2}));

TEST(FastConv2d, InputWithoutGradientStillTrainsTheWeights) {
  // The first layer's input (the images) needs no gradient: only weight and bias are computed.
  torch::manual_seed(3);
  FastConv2d fast(1, 3);
  auto x = torch::rand({5, 1, 28, 28});
  auto expected_weight = torch::autograd::grad(
      {torch::conv2d(x, fast->weight, fast->bias, 1, 1).square().sum()}, {fast->weight})[0];
  fast->forward(x).square().sum().backward();
  expect_close(fast->weight.grad(), expected_weight, "weight gradient");
  EXPECT_FALSE(x.grad().defined());
}

TEST(FastConv2d, SameParametersAsConv2dForTheSameSeed) {
  torch::manual_seed(21);
  FastConv2d fast(3, 9);
  torch::manual_seed(21);
  torch::nn::Conv2d reference(torch::nn::Conv2dOptions(3, 9, 3).stride(1).padding(1));
  const auto ours = fast->named_parameters(), theirs = reference->named_parameters();
  ASSERT_EQ(ours.keys(), theirs.keys());
  for (const auto& key : theirs.keys()) EXPECT_TRUE(torch::equal(ours[key], theirs[key])) << key;
}

TEST(FastConv2d, OtherLayoutsAndShapesUseLibTorch) {
  FastConv2d conv(3, 9);
  EXPECT_TRUE(conv->uses_own_kernel(torch::rand({2, 3, 8, 8})));
  auto channels_last = torch::rand({2, 3, 8, 8}).contiguous(torch::MemoryFormat::ChannelsLast);
  EXPECT_FALSE(conv->uses_own_kernel(channels_last));
  EXPECT_FALSE(conv->uses_own_kernel(torch::rand({2, 3, 8, 8}, torch::kFloat64)));
  FastConv2d wide(81, 243);
  EXPECT_FALSE(wide->uses_own_kernel(torch::rand({2, 81, 4, 4})));
  // The fallback is LibTorch's conv2d.
  EXPECT_TRUE(torch::equal(conv->forward(channels_last),
                           torch::conv2d(channels_last, conv->weight, conv->bias, 1, 1)));
}

TEST(FastConv2d, SameGradientsWithOneOrTwoThreads) {
  const int threads = torch::get_num_threads();
  torch::manual_seed(5);
  FastConv2d conv(3, 9);
  auto x = torch::randn({40, 3, 14, 14}).requires_grad_();
  auto upstream = torch::randn({40, 9, 14, 14});
  std::vector<torch::Tensor> grads;
  for (int t : {1, 2}) {
    torch::set_num_threads(t);
    conv->zero_grad();
    x.mutable_grad() = torch::Tensor();
    conv->forward(x).backward(upstream);
    grads.push_back(conv->weight.grad().clone());
    grads.push_back(x.grad().clone());
  }
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(grads[0], grads[2]));
  EXPECT_TRUE(torch::equal(grads[1], grads[3]));
}

TEST(FastBatchNorm2d, MatchesBatchNorm2dInTrainingAndEvaluation) {
  torch::manual_seed(13);
  for (auto shape : {std::vector<int64_t>{40, 3, 28, 28}, {7, 9, 5, 3}, {2, 2, 1, 1}}) {
    FastBatchNorm2d fast(shape[1]);
    torch::nn::BatchNorm2d reference(shape[1]);
    {
      torch::NoGradGuard no_grad;
      // Non-trivial affine parameters, the same in both.
      fast->weight.uniform_(0.5, 1.5);
      fast->bias.uniform_(-0.5, 0.5);
      reference->weight.copy_(fast->weight);
      reference->bias.copy_(fast->bias);
    }
    for (int step = 0; step < 3; ++step) {
      // An offset mean, where one-pass variance formulas lose precision.
      auto x = torch::randn(shape) * 2 + 5;
      auto a = x.clone().requires_grad_();
      auto b = x.clone().requires_grad_();
      ASSERT_TRUE(fast->uses_own_kernel(a));
      auto ours = fast->forward(a);
      auto theirs = reference->forward(b);
      expect_close(ours, theirs, "output", 1e-5);
      auto upstream = torch::randn(shape);
      ours.backward(upstream);
      theirs.backward(upstream);
      expect_close(a.grad(), b.grad(), "input gradient", 1e-4);
      expect_close(fast->weight.grad(), reference->weight.grad(), "weight gradient", 1e-4);
      expect_close(fast->bias.grad(), reference->bias.grad(), "bias gradient", 1e-4);
    }
    expect_close(fast->running_mean, reference->running_mean, "running mean", 1e-6);
    expect_close(fast->running_var, reference->running_var, "running var", 1e-6);
    EXPECT_EQ(fast->num_batches_tracked.item<int64_t>(), 3);
    fast->eval();
    reference->eval();
    auto x = torch::randn(shape);
    EXPECT_FALSE(fast->uses_own_kernel(x));
    expect_close(fast->forward(x), reference->forward(x), "evaluation output", 1e-5);
  }
}

TEST(FastBatchNorm2d, SameParametersAndBuffersAsBatchNorm2d) {
  FastBatchNorm2d fast(9);
  torch::nn::BatchNorm2d reference(9);
  const auto ours = fast->named_parameters(), theirs = reference->named_parameters();
  ASSERT_EQ(ours.keys(), theirs.keys());
  for (const auto& key : theirs.keys()) EXPECT_TRUE(torch::equal(ours[key], theirs[key])) << key;
  const auto our_buffers = fast->named_buffers(), their_buffers = reference->named_buffers();
  ASSERT_EQ(our_buffers.keys(), their_buffers.keys());
  for (const auto& key : their_buffers.keys()) {
    EXPECT_TRUE(torch::equal(our_buffers[key], their_buffers[key])) << key;
  }
}

TEST(FastBatchNorm2d, OneValuePerChannelIsRefusedAsLibTorchDoes) {
  FastBatchNorm2d fast(3);
  auto x = torch::rand({1, 3, 1, 1});
  EXPECT_FALSE(fast->uses_own_kernel(x));
  EXPECT_THROW(fast->forward(x), c10::Error);
}

TEST(FastReLU, MatchesReluSpecialValuesIncluded) {
  // 1001 elements: whole vectors and a tail; NaN, infinities and signed zeros as torch::relu.
  auto x = torch::randn({7, 11, 13});
  auto flat = x.view(-1);
  flat[0] = std::numeric_limits<float>::quiet_NaN();
  flat[1] = -0.0f;
  flat[2] = 0.0f;
  flat[3] = std::numeric_limits<float>::infinity();
  flat[4] = -std::numeric_limits<float>::infinity();
  flat[1000] = std::numeric_limits<float>::quiet_NaN();
  auto a = x.clone().requires_grad_();
  auto b = x.clone().requires_grad_();
  auto ours = FastReLU()->forward(a);
  auto theirs = torch::relu(b);
  EXPECT_TRUE(torch::equal(ours.isnan(), theirs.isnan()));
  EXPECT_TRUE(torch::equal(ours.nan_to_num(0), theirs.nan_to_num(0)));
  EXPECT_TRUE(torch::equal(ours.signbit(), theirs.signbit()));
  auto upstream = torch::randn(x.sizes());
  ours.backward(upstream);
  theirs.backward(upstream);
  EXPECT_TRUE(torch::equal(a.grad(), b.grad()));
}

TEST(MaxPool2x2, MatchesMaxPool2dTiesAndNaNIncluded) {
  torch::manual_seed(7);
  // Vector paths (even sides, rows of 8 or more) and the scalar one (odd sides, small planes).
  for (auto shape : {std::vector<int64_t>{4, 3, 28, 28},
                     {2, 3, 14, 14},
                     {2, 2, 16, 16},
                     {3, 9, 7, 7},
                     {2, 2, 5, 6},
                     {2, 2, 4, 4}}) {
    // ReLU output: many exact ties (zeros), where the first maximum must win as in MaxPool2d.
    auto x = torch::relu(torch::randn(shape));
    auto a = x.clone().requires_grad_();
    auto b = x.clone().requires_grad_();
    auto ours = MaxPool2x2()->forward(a);
    auto reference = torch::max_pool2d(b, {2, 2}, {2, 2});
    ASSERT_TRUE(torch::equal(ours, reference));
    auto upstream = torch::randn(reference.sizes());
    ours.backward(upstream);
    reference.backward(upstream);
    EXPECT_TRUE(torch::equal(a.grad(), b.grad()));
  }
  // Several NaNs in a window: the last in window order wins, as in MaxPool2d.
  for (auto shape : {std::vector<int64_t>{2, 3, 28, 28}, {2, 3, 7, 7}}) {
    auto x = torch::randn(shape);
    x.masked_fill_(torch::rand(shape) < 0.3, std::numeric_limits<float>::quiet_NaN());
    auto a = x.clone().requires_grad_();
    auto b = x.clone().requires_grad_();
    auto ours = MaxPool2x2()->forward(a);
    auto reference = torch::max_pool2d(b, {2, 2}, {2, 2});
    EXPECT_TRUE(torch::equal(ours.isnan(), reference.isnan()));
    EXPECT_TRUE(torch::equal(ours.nan_to_num(0), reference.nan_to_num(0)));
    auto upstream = torch::randn(reference.sizes());
    ours.backward(upstream);
    reference.backward(upstream);
    EXPECT_TRUE(torch::equal(a.grad(), b.grad()));
  }
  // NaN wins wherever it is in the window, as in MaxPool2d; so does -inf when it is all there is.
  auto special = torch::zeros({1, 2, 2, 2});
  special[0][0][1][0] = std::numeric_limits<float>::quiet_NaN();
  special[0][1].fill_(-std::numeric_limits<float>::infinity());
  auto a = special.clone().requires_grad_();
  auto b = special.clone().requires_grad_();
  auto ours = MaxPool2x2()->forward(a);
  auto reference = torch::max_pool2d(b, {2, 2}, {2, 2});
  EXPECT_TRUE(std::isnan(ours[0][0][0][0].item<float>()));
  EXPECT_EQ(ours[0][1][0][0].item<float>(), -std::numeric_limits<float>::infinity());
  ours.sum().backward();
  reference.sum().backward();
  EXPECT_TRUE(torch::equal(a.grad(), b.grad()));
}
