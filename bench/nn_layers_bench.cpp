// Layer kernels of the paper's SimpleCNN on one CPU thread: LibTorch 1.13's MaxPool2d against
// greentune's 2x2 kernel (forward + backward), and one whole training step of the network.
//   build/nn_layers_bench --benchmark_filter=Pool
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "greentune/nn/model_spec.hpp"
#include "greentune/nn/network.hpp"

namespace {

torch::Tensor pool_input(const benchmark::State& state) {
  torch::set_num_threads(1);
  return torch::relu(torch::randn({512, state.range(0), state.range(1), state.range(1)}));
}

void BM_MaxPool2d_LibTorch(benchmark::State& state) {
  auto x = pool_input(state).requires_grad_();
  for (auto _ : state) {
    auto y = torch::max_pool2d(x, {2, 2}, {2, 2});
    y.backward(torch::ones_like(y));
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
}

void BM_MaxPool2x2_Greentune(benchmark::State& state) {
  auto x = pool_input(state).requires_grad_();
  greentune::nn::MaxPool2x2 pool;
  for (auto _ : state) {
    auto y = pool->forward(x);
    y.backward(torch::ones_like(y));
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
}

void BM_MaxPool2x2_GreentuneForward(benchmark::State& state) {
  auto x = pool_input(state);
  greentune::nn::MaxPool2x2 pool;
  torch::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(pool->forward(x).data_ptr());
}

void BM_MaxPool2d_LibTorchForward(benchmark::State& state) {
  auto x = pool_input(state);
  torch::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(torch::max_pool2d(x, {2, 2}, {2, 2}).data_ptr());
}

// One Adam step of SimpleCNN on a 512-image FashionMNIST-shaped batch.
void BM_SimpleCnnStep(benchmark::State& state) {
  torch::set_num_threads(1);
  auto net = greentune::nn::build_network(greentune::nn::parse_model_spec("simplecnn"), 1, 28, 28);
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  auto x = torch::rand({512, 1, 28, 28});
  auto y = torch::randint(0, 10, {512}, torch::kInt64);
  for (auto _ : state) {
    adam.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    benchmark::DoNotOptimize(loss.item<float>());
    loss.backward();
    adam.step();
  }
}

}  // namespace

BENCHMARK(BM_MaxPool2d_LibTorch)->Args({3, 28})->Args({9, 14})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MaxPool2x2_Greentune)->Args({3, 28})->Args({9, 14})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MaxPool2d_LibTorchForward)
    ->Args({3, 28})
    ->Args({9, 14})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MaxPool2x2_GreentuneForward)
    ->Args({3, 28})
    ->Args({9, 14})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimpleCnnStep)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
