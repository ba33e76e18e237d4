// Time for the Bayesian sampler to propose one point from a history of N completed trials in 5-D
// (target: below 100 ms for 200 trials on 2 cores), and for the grid and random samplers.
#include <cmath>

#include <benchmark/benchmark.h>

#include "greentune/tune/samplers.hpp"
#include "greentune/tune/unit_cube.hpp"

namespace {

using namespace greentune::tune;

SearchSpace five_dims() {
  SearchSpace space;
  space.params.push_back({"lr", ParamType::real, 1e-5, 1e-1, true, 0, {}});
  space.params.push_back({"beta1", ParamType::real, 0.1, 1, false, 0, {}});
  space.params.push_back({"beta2", ParamType::real, 0.8, 1, false, 0, {}});
  space.params.push_back({"eps", ParamType::real, 1e-9, 1e-7, false, 0, {}});
  space.params.push_back({"wd", ParamType::real, 0, 0.1, false, 0, {}});
  return space;
}

// A smooth accuracy-like surface with one ridge, evaluated at random points.
std::vector<Trial> history_of(const SearchSpace& space, int n) {
  std::vector<Trial> history;
  auto rng = seeded_rng(77, 0);
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < n; ++i) {
    std::vector<double> x(space.params.size());
    for (auto& v : x) v = u(rng);
    Trial t;
    t.number = i + 1;
    t.state = TrialState::complete;
    t.params = params_at(space, x);
    t.values = {0.9 - std::pow(x[0] - 0.6, 2) - 0.3 * std::pow(x[1] - 0.8, 2) - 0.1 * x[4] +
                0.01 * std::sin(20 * x[2])};
    history.push_back(t);
  }
  return history;
}

void propose(benchmark::State& state, const std::string& strategy) {
  const auto space = five_dims();
  const auto history = history_of(space, static_cast<int>(state.range(0)));
  auto sampler = make_sampler(strategy, SamplerOptions{});
  for (auto _ : state) {
    SamplerContext context{space, history, Direction::maximize, 1234};
    benchmark::DoNotOptimize(sampler->propose(context));
  }
}

void BM_BayesPropose(benchmark::State& state) {
  propose(state, "bayes");
}
void BM_RandomPropose(benchmark::State& state) {
  propose(state, "random");
}
void BM_GridPropose(benchmark::State& state) {
  propose(state, "grid");
}

BENCHMARK(BM_BayesPropose)->Arg(20)->Arg(50)->Arg(100)->Arg(200)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RandomPropose)->Arg(200)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GridPropose)->Arg(200)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
