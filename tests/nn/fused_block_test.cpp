// The fused batch norm + ReLU + max pool against the three layers run one by one: the same
// outputs, gradients and running statistics, bit for bit, ties and odd sizes included.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "greentune/nn/fused_block.hpp"
#include "greentune/nn/model_spec.hpp"
#include "greentune/nn/network.hpp"
#include "greentune/nn/runtime.hpp"

using namespace greentune::nn;

namespace {

// Values on a coarse grid, so that pooling windows hold ties after batch norm.
torch::Tensor coarse(std::vector<int64_t> sizes) {
  return torch::randint(0, 4, sizes).to(torch::kFloat32) * 0.5f - 0.7f;
}

void expect_equal(const torch::Tensor& ours, const torch::Tensor& reference, const char* what) {
  ASSERT_TRUE(ours.defined()) << what;
  ASSERT_TRUE(reference.defined()) << what;
  EXPECT_TRUE(torch::equal(ours, reference))
      << what << ": max abs difference " << (ours - reference).abs().max().item<double>();
}

struct BlockCase {
  int64_t n, channels, h, w;
  bool input_grad;
};

class FusedBlockShapes : public ::testing::TestWithParam<BlockCase> {};

}  // namespace

TEST_P(FusedBlockShapes, SameAsTheThreeLayers) {
  const auto c = GetParam();
  torch::manual_seed(17);
  FastBatchNorm2d fused_norm(c.channels), norm(c.channels);
  {
    torch::NoGradGuard no_grad;
    for (auto* bn : {&fused_norm, &norm}) {
      (*bn)->weight.copy_(torch::linspace(0.5, 1.5, c.channels));
      (*bn)->bias.copy_(torch::linspace(-0.2, 0.3, c.channels));
    }
  }
  FastReLU relu;
  MaxPool2x2 pool;
  auto x = coarse({c.n, c.channels, c.h, c.w});
  auto a = x.clone().requires_grad_(c.input_grad);
  auto b = x.clone().requires_grad_(c.input_grad);
  ASSERT_TRUE(fused_norm->uses_own_kernel(a));
  const auto ours = batch_norm_relu_max_pool(*fused_norm, a);
  const auto theirs = pool->forward(relu->forward(norm->forward(b)));
  expect_equal(ours, theirs, "output");
  auto upstream = coarse(theirs.sizes().vec());
  ours.backward(upstream);
  theirs.backward(upstream);
  if (c.input_grad) expect_equal(a.grad(), b.grad(), "input gradient");
  expect_equal(fused_norm->weight.grad(), norm->weight.grad(), "weight gradient");
  expect_equal(fused_norm->bias.grad(), norm->bias.grad(), "bias gradient");
  expect_equal(fused_norm->running_mean, norm->running_mean, "running mean");
  expect_equal(fused_norm->running_var, norm->running_var, "running variance");
  expect_equal(fused_norm->num_batches_tracked, norm->num_batches_tracked, "batches tracked");
}

INSTANTIATE_TEST_SUITE_P(Shapes, FusedBlockShapes,
                         ::testing::Values(BlockCase{20, 3, 28, 28, true},  // FM block 1, 2 chunks
                                           BlockCase{5, 9, 14, 14, true},   // FM block 2
                                           BlockCase{3, 2, 7, 9, true},     // odd sides
                                           BlockCase{4, 3, 16, 16, false}));  // input needs no grad

TEST(FusedBlock, NetworkStepSameAsModuleByModule) {
  // Two identical SimpleCNNs, one Adam-free step each: the fused forward changes nothing but speed.
  const int threads = torch::get_num_threads();
  configure_threads(2);
  const auto spec = parse_model_spec("simplecnn");
  torch::manual_seed(4);
  auto fused = build_network(spec, 1, 28, 28);
  torch::manual_seed(4);
  auto reference = build_network(spec, 1, 28, 28);
  auto x = torch::rand({40, 1, 28, 28});
  auto y = torch::randint(0, 10, {40}, torch::kInt64);
  auto ours = torch::nn::functional::cross_entropy(forward_fusing_blocks(fused, x), y);
  auto theirs = torch::nn::functional::cross_entropy(reference->forward(x), y);
  expect_equal(ours, theirs, "loss");
  ours.backward();
  theirs.backward();
  const auto p = fused->named_parameters(), q = reference->named_parameters();
  for (const auto& key : q.keys()) expect_equal(p[key].grad(), q[key].grad(), key.c_str());
  const auto s = fused->named_buffers(), t = reference->named_buffers();
  for (const auto& key : t.keys()) expect_equal(s[key], t[key], key.c_str());
  // In evaluation the layers run one by one, on LibTorch's batch norm.
  fused->eval();
  reference->eval();
  torch::NoGradGuard no_grad;
  expect_equal(forward_fusing_blocks(fused, x), reference->forward(x), "evaluation output");
  configure_threads(threads);
}

TEST(FusedBlock, SameResultsWithOneOrTwoThreads) {
  const int threads = torch::get_num_threads();
  std::vector<torch::Tensor> results;
  for (int t : {1, 2}) {
    configure_threads(t);
    torch::manual_seed(9);
    FastBatchNorm2d norm(9);
    auto x = torch::randn({40, 9, 14, 14}).requires_grad_();
    auto y = batch_norm_relu_max_pool(*norm, x);
    y.backward(torch::randn(y.sizes()));
    results.push_back(y.detach());
    results.push_back(x.grad());
    results.push_back(norm->weight.grad());
  }
  configure_threads(threads);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(torch::equal(results[i], results[i + 3])) << i;
}

TEST(FusedBlock, RefusesWhatTheBatchNormKernelDoesNotTake) {
  FastBatchNorm2d norm(3);
  norm->eval();
  EXPECT_THROW(batch_norm_relu_max_pool(*norm, torch::rand({2, 3, 4, 4})), c10::Error);
}
