// Layer kernels of the paper's SimpleCNN on one thread (LibTorch's pool set to 1; OpenBLAS runs
// single-threaded): LibTorch 1.13's Conv2d, BatchNorm2d and MaxPool2d against greentune's CPU
// kernels (fast_layers.hpp), forward + backward, and one whole Adam step of the network built
// either way.
//   build/bench/nn_layers_bench --benchmark_filter=Step --benchmark_repetitions=5
// Arguments: channels in, channels out (conv) and the image side.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <type_traits>

#include "greentune/nn/fast_layers.hpp"
#include "greentune/nn/fused_block.hpp"
#include "greentune/nn/model_spec.hpp"
#include "greentune/nn/network.hpp"
#include "greentune/nn/runtime.hpp"

namespace {

namespace tnn = torch::nn;

void one_thread() {
  greentune::nn::configure_threads(1);
}

template <typename Conv>
void conv_step(benchmark::State& state) {
  one_thread();
  const int64_t in = state.range(0), out = state.range(1), side = state.range(2);
  torch::manual_seed(1);
  Conv conv = [&] {
    if constexpr (std::is_same_v<Conv, tnn::Conv2d>) {
      return Conv(tnn::Conv2dOptions(in, out, 3).stride(1).padding(1));
    } else {
      return Conv(in, out);
    }
  }();
  // The images entering the first layer need no gradient; later layers' inputs do.
  auto x = torch::randn({512, in, side, side}).requires_grad_(in > 1);
  auto upstream = torch::randn({512, out, side, side});
  for (auto _ : state) {
    conv->zero_grad();
    conv->forward(x).backward(upstream);
    benchmark::DoNotOptimize(conv->weight.grad().data_ptr());
  }
}
void BM_Conv_LibTorch(benchmark::State& state) {
  conv_step<tnn::Conv2d>(state);
}
void BM_Conv_Greentune(benchmark::State& state) {
  conv_step<greentune::nn::FastConv2d>(state);
}

template <typename Norm>
void batch_norm_step(benchmark::State& state) {
  one_thread();
  const int64_t channels = state.range(0), side = state.range(1);
  Norm norm(channels);
  auto x = torch::randn({512, channels, side, side}).requires_grad_();
  auto upstream = torch::randn({512, channels, side, side});
  for (auto _ : state) {
    norm->forward(x).backward(upstream);
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
}
void BM_BatchNorm_LibTorch(benchmark::State& state) {
  batch_norm_step<tnn::BatchNorm2d>(state);
}
void BM_BatchNorm_Greentune(benchmark::State& state) {
  batch_norm_step<greentune::nn::FastBatchNorm2d>(state);
}

torch::Tensor pool_input(const benchmark::State& state) {
  one_thread();
  return torch::relu(torch::randn({512, state.range(0), state.range(1), state.range(1)}));
}

void BM_MaxPool_LibTorch(benchmark::State& state) {
  auto x = pool_input(state).requires_grad_();
  for (auto _ : state) {
    auto y = torch::max_pool2d(x, {2, 2}, {2, 2});
    y.backward(torch::ones_like(y));
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
}

void BM_MaxPool_Greentune(benchmark::State& state) {
  auto x = pool_input(state).requires_grad_();
  greentune::nn::MaxPool2x2 pool;
  for (auto _ : state) {
    auto y = pool->forward(x);
    y.backward(torch::ones_like(y));
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
}

// The FashionMNIST SimpleCNN from LibTorch's own modules only, as before greentune's kernels.
tnn::Sequential libtorch_simple_cnn() {
  return tnn::Sequential(tnn::Conv2d(tnn::Conv2dOptions(1, 3, 3).padding(1)), tnn::BatchNorm2d(3),
                         tnn::ReLU(), tnn::MaxPool2d(tnn::MaxPool2dOptions(2)),
                         tnn::Conv2d(tnn::Conv2dOptions(3, 9, 3).padding(1)), tnn::BatchNorm2d(9),
                         tnn::ReLU(), tnn::MaxPool2d(tnn::MaxPool2dOptions(2)), tnn::Flatten(),
                         tnn::Linear(441, 392), tnn::Linear(392, 196), tnn::Linear(196, 10));
}

// One Adam step on a 512-image FashionMNIST-shaped batch, on range(0) threads.
void simple_cnn_step(benchmark::State& state, tnn::Sequential net) {
  greentune::nn::configure_threads(static_cast<int>(state.range(0)));
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  auto x = torch::rand({512, 1, 28, 28});
  auto y = torch::randint(0, 10, {512}, torch::kInt64);
  for (auto _ : state) {
    adam.zero_grad();
    // As the trainer runs it: batch norm, ReLU and max pool fused where greentune's kernels run.
    auto loss =
        torch::nn::functional::cross_entropy(greentune::nn::forward_fusing_blocks(net, x), y);
    benchmark::DoNotOptimize(loss.item<float>());
    loss.backward();
    adam.step();
  }
}
void BM_SimpleCnnStep_LibTorch(benchmark::State& state) {
  simple_cnn_step(state, libtorch_simple_cnn());
}
void BM_SimpleCnnStep_Greentune(benchmark::State& state) {
  simple_cnn_step(
      state, greentune::nn::build_network(greentune::nn::parse_model_spec("simplecnn"), 1, 28, 28));
}

}  // namespace

// SimpleCNN's blocks: FashionMNIST 1->3 at 28, 3->9 at 14; CIFAR-10 3->9 at 32, 9->27 at 16.
#define CONV_SHAPES \
  Args({1, 3, 28})->Args({3, 9, 14})->Args({3, 9, 32})->Args({9, 27, 16})->Args({27, 81, 8})
BENCHMARK(BM_Conv_LibTorch)->CONV_SHAPES->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Conv_Greentune)->CONV_SHAPES->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BatchNorm_LibTorch)->Args({3, 28})->Args({9, 14})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BatchNorm_Greentune)->Args({3, 28})->Args({9, 14})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MaxPool_LibTorch)->Args({3, 28})->Args({9, 14})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MaxPool_Greentune)->Args({3, 28})->Args({9, 14})->Unit(benchmark::kMillisecond);
// Whole steps also on two threads: wall time, and the CPU time of the whole process, which counts
// what threads burn waiting for each other (spinning, yielding) as well as their work. Run with
// GOMP_SPINCOUNT=10000, as `greentune train` runs.
BENCHMARK(BM_SimpleCnnStep_LibTorch)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimpleCnnStep_Greentune)
    ->Arg(1)
    ->Arg(2)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
