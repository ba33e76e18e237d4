// Simple regret of greentune's samplers on branin and hartmann6.
//   tune_regret_bench                          Google Benchmark: one 30-evaluation BO run on branin
//   tune_regret_bench --trace F S SEEDS EVALS  prints, per seed, the best value after each
//                                              evaluation as JSON (used by bo_vs_optuna.sh);
//                                              F = branin|hartmann6, S = bayes|random|sobol|...
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "greentune/tune/benchmarks.hpp"
#include "greentune/tune/samplers.hpp"

namespace {

using namespace greentune::tune;

std::vector<double> best_trace(const std::string& function, const std::string& strategy,
                               uint64_t seed, int evaluations) {
  const auto space = benchmark_space(function);
  auto sampler = make_sampler(strategy, SamplerOptions{});
  std::vector<Trial> history;
  std::vector<double> best;
  for (int i = 0; i < evaluations; ++i) {
    SamplerContext context{space, history, Direction::minimize, seed};
    Trial t;
    t.number = i + 1;
    t.params = *sampler->propose(context);
    t.state = TrialState::complete;
    t.values = {benchmark_value(function, t.params)};
    best.push_back(best.empty() ? t.values[0] : std::min(best.back(), t.values[0]));
    history.push_back(std::move(t));
  }
  return best;
}

void BM_BayesBranin30(benchmark::State& state) {
  double regret = 0;
  for (auto _ : state) regret = best_trace("branin", "bayes", 1, 30).back() - branin_minimum;
  state.counters["regret"] = regret;
}
BENCHMARK(BM_BayesBranin30)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  if (argc == 6 && std::strcmp(argv[1], "--trace") == 0) {
    const std::string function = argv[2], strategy = argv[3];
    const int seeds = std::stoi(argv[4]), evaluations = std::stoi(argv[5]);
    nlohmann::json out;
    out["function"] = function;
    out["strategy"] = strategy;
    out["minimum"] = benchmark_minimum(function);
    out["best"] = nlohmann::json::array();
    for (int s = 0; s < seeds; ++s)
      out["best"].push_back(best_trace(function, strategy, static_cast<uint64_t>(s), evaluations));
    std::puts(out.dump().c_str());
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
