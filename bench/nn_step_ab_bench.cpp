// Side by side in one process: SimpleCNN Adam steps (512 FashionMNIST-shaped images) taking turns
// between ways of running the network, so that load on a shared machine hits every arm alike:
//   fused          the trainer's way: batch norm + ReLU + max pool fused (fused_block.hpp),
//                  linear GEMMs split between LibTorch's threads (fast_linear.hpp)
//   layers         the same network run layer by layer (net->forward)
//   openblas-pool  layer by layer, with torch::nn::Linear and OpenBLAS's own thread pool (as
//                  before fast_linear.hpp)
// Prints each arm's median and fastest step and the median of its step time over fused's in the
// same round.
//   build/bench/nn_step_ab_bench [threads=2] [rounds=60]
#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "greentune/nn/fused_block.hpp"
#include "greentune/nn/model_spec.hpp"
#include "greentune/nn/network.hpp"
#include "greentune/nn/runtime.hpp"

namespace {

namespace tnn = torch::nn;
using Clock = std::chrono::steady_clock;

void set_blas_threads(int threads) {
  using SetThreads = void (*)(int);
  if (auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set(threads);
  }
}

// The greentune network with its FastLinear layers swapped for torch::nn::Linear ones.
tnn::Sequential with_libtorch_linear(const tnn::Sequential& net) {
  tnn::Sequential out;
  for (const auto& module : *net) {
    if (auto* linear = module.ptr()->as<tnn::Linear>()) {
      out->push_back(tnn::Linear(linear->options));
    } else {
      out->push_back(module);
    }
  }
  return out;
}

struct Arm {
  std::string name;
  tnn::Sequential net;
  std::function<torch::Tensor(tnn::Sequential&, const torch::Tensor&)> forward;
  int blas_threads = 1;
  std::unique_ptr<torch::optim::Adam> adam;
  std::vector<double> ms;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 60;
  greentune::nn::configure_threads(threads);
  const auto spec = greentune::nn::parse_model_spec("simplecnn");
  auto build = [&] { return greentune::nn::build_network(spec, 1, 28, 28); };
  auto layer_by_layer = [](tnn::Sequential& net, const torch::Tensor& x) {
    return net->forward(x);
  };
  std::vector<Arm> arms;
  arms.push_back({"fused", build(), greentune::nn::forward_fusing_blocks});
  arms.push_back({"layers", build(), layer_by_layer});
  arms.push_back({"openblas-pool", with_libtorch_linear(build()), layer_by_layer, threads});
  for (auto& arm : arms) {
    arm.adam = std::make_unique<torch::optim::Adam>(arm.net->parameters(),
                                                    torch::optim::AdamOptions(1e-3));
  }
  torch::manual_seed(1);
  const auto x = torch::rand({512, 1, 28, 28});
  const auto y = torch::randint(0, 10, {512}, torch::kInt64);
  auto step = [&](Arm& arm) {
    set_blas_threads(arm.blas_threads);
    const auto start = Clock::now();
    for (auto& p : arm.net->parameters()) p.mutable_grad().reset();
    auto loss = torch::nn::functional::cross_entropy(arm.forward(arm.net, x), y);
    loss.backward();
    arm.adam->step();
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    set_blas_threads(1);
    return ms;
  };
  for (int warm = 0; warm < 3; ++warm) {
    for (auto& arm : arms) step(arm);
  }
  for (int round = 0; round < rounds; ++round) {
    // Rotate the order, so no arm always follows the same one.
    for (size_t k = 0; k < arms.size(); ++k) {
      auto& arm = arms[(k + static_cast<size_t>(round)) % arms.size()];
      arm.ms.push_back(step(arm));
    }
  }
  std::printf("%d threads, %d rounds; step ms: median, fastest; median of arm/fused per round\n",
              threads, rounds);
  for (const auto& arm : arms) {
    std::vector<double> ratio;
    for (size_t r = 0; r < arm.ms.size(); ++r) ratio.push_back(arm.ms[r] / arms[0].ms[r]);
    std::printf("%-14s %7.2f %7.2f  %.3fx\n", arm.name.c_str(), median(arm.ms),
                *std::min_element(arm.ms.begin(), arm.ms.end()), median(ratio));
  }
  return 0;
}
