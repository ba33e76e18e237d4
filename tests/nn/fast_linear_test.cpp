// FastLinear against LibTorch's linear: output and every gradient, with and without bias, the
// same parameters as torch::nn::Linear, and the same results whatever the thread count.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "greentune/nn/fast_linear.hpp"
#include "greentune/nn/runtime.hpp"

using namespace greentune::nn;

namespace {

void expect_close(const torch::Tensor& ours, const torch::Tensor& reference, const char* what) {
  ASSERT_TRUE(ours.defined()) << what;
  ASSERT_EQ(ours.sizes(), reference.sizes()) << what;
  const double scale = std::max(1.0, reference.abs().max().item<double>());
  const double error = (ours - reference).abs().max().item<double>();
  EXPECT_LE(error, 2e-5 * scale) << what << ": max abs error " << error << ", scale " << scale;
}

struct LinearCase {
  int64_t n, in, out;
  bool bias;
};

class FastLinearShapes : public ::testing::TestWithParam<LinearCase> {};

// Runs `f` with `threads` threads set as training sets them (OpenBLAS single-threaded inside
// LibTorch's threads), then puts the previous count back.
template <typename F>
void with_threads(int threads, const F& f) {
  const int before = torch::get_num_threads();
  configure_threads(threads);
  f();
  configure_threads(before);
}

}  // namespace

TEST_P(FastLinearShapes, MatchesLinearForwardAndBackward) {
  const auto c = GetParam();
  torch::manual_seed(7);
  FastLinear fast(torch::nn::LinearOptions(c.in, c.out).bias(c.bias));
  auto x = torch::randn({c.n, c.in});
  auto a = x.clone().requires_grad_();
  auto b = x.clone().requires_grad_();
  auto reference_weight = fast->weight.detach().clone().requires_grad_();
  auto reference_bias = c.bias ? fast->bias.detach().clone().requires_grad_() : torch::Tensor();
  ASSERT_TRUE(fast->uses_own_kernel(a));
  with_threads(2, [&] {
    auto ours = fast->forward(a);
    auto theirs = torch::nn::functional::linear(b, reference_weight, reference_bias);
    expect_close(ours, theirs, "output");
    auto upstream = torch::randn(theirs.sizes());
    ours.backward(upstream);
    theirs.backward(upstream);
  });
  expect_close(a.grad(), b.grad(), "input gradient");
  expect_close(fast->weight.grad(), reference_weight.grad(), "weight gradient");
  if (c.bias) {
    expect_close(fast->bias.grad(), reference_bias.grad(), "bias gradient");
  } else {
    EXPECT_FALSE(fast->bias.defined());
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, FastLinearShapes,
                         ::testing::Values(LinearCase{64, 441, 392, true},  // SimpleCNN FM
                                           LinearCase{37, 196, 10, true},   // odd batch
                                           LinearCase{1, 5, 3, true},       // one row
                                           LinearCase{20, 7, 33, false}));  // features split 16+17

TEST(FastLinear, SameParametersAsLinearForTheSameSeed) {
  torch::manual_seed(21);
  FastLinear fast(441, 392);
  torch::manual_seed(21);
  torch::nn::Linear reference(441, 392);
  const auto ours = fast->named_parameters(), theirs = reference->named_parameters();
  ASSERT_EQ(ours.keys(), theirs.keys());
  for (const auto& key : theirs.keys()) EXPECT_TRUE(torch::equal(ours[key], theirs[key])) << key;
  // Code that looks for torch::nn::Linear layers (widths, printing) finds it.
  torch::nn::Sequential net(fast);
  EXPECT_NE(net->ptr(0)->as<torch::nn::Linear>(), nullptr);
}

TEST(FastLinear, InputWithoutGradientStillTrainsTheWeights) {
  torch::manual_seed(3);
  FastLinear fast(12, 5);
  auto x = torch::randn({9, 12});
  const auto expected = torch::autograd::grad(
      {torch::nn::functional::linear(x, fast->weight, fast->bias).square().sum()},
      {fast->weight, fast->bias});
  fast->forward(x).square().sum().backward();
  expect_close(fast->weight.grad(), expected[0], "weight gradient");
  expect_close(fast->bias.grad(), expected[1], "bias gradient");
  EXPECT_FALSE(x.grad().defined());
}

TEST(FastLinear, OtherShapesAndTypesUseLibTorch) {
  FastLinear fast(6, 4);
  EXPECT_FALSE(fast->uses_own_kernel(torch::randn({2, 3, 6})));
  EXPECT_FALSE(fast->uses_own_kernel(torch::randn({6, 3}).t()));
  EXPECT_FALSE(fast->uses_own_kernel(torch::randn({3, 6}, torch::kFloat64)));
  auto batched = torch::randn({2, 3, 6});
  EXPECT_TRUE(torch::equal(fast->forward(batched),
                           torch::nn::functional::linear(batched, fast->weight, fast->bias)));
}

TEST(FastLinear, SameResultsWithOneOrTwoThreads) {
  torch::manual_seed(5);
  FastLinear fast(441, 392);
  auto x = torch::randn({300, 441}).requires_grad_();
  auto upstream = torch::randn({300, 392});
  std::vector<torch::Tensor> results;
  for (int threads : {1, 2}) {
    with_threads(threads, [&] {
      fast->zero_grad();
      x.mutable_grad() = torch::Tensor();
      auto y = fast->forward(x);
      y.backward(upstream);
      results.push_back(y.detach().clone());
      results.push_back(x.grad().clone());
      results.push_back(fast->weight.grad().clone());
      results.push_back(fast->bias.grad().clone());
    });
  }
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(torch::equal(results[i], results[i + 4])) << i;
}
