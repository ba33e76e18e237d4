// Hypervolume reached by greentune's multi-objective sampler on ZDT1, ZDT2 and DTLZ2.
//   mobo_hypervolume_bench                     Google Benchmark: CPU time of one proposal after
//                                              40 and 80 trials of ZDT1 (6 variables)
//   mobo_hypervolume_bench --trace P S SEEDS EVALS VARIABLES [OPTION...]
//                                              prints every trial's objectives per seed, the CPU
//                                              seconds of each proposal and the hypervolume
//                                              greentune computes at 40 and 80 evaluations, as
//                                              JSON (used by mobo_vs_optuna.sh);
//                                              P = zdt1|zdt2|dtlz2, S = mobo|random; options:
//                                              startup=N, quasi=sobol, reference=given (the
//                                              sampler is told the benchmark's reference point)
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "greentune/tune/hypervolume.hpp"
#include "greentune/tune/multi_objective_benchmarks.hpp"
#include "greentune/tune/multi_objective_sampler.hpp"
#include "greentune/tune/random_sampler.hpp"

namespace {

using namespace greentune::tune;

// The reference points of BoTorch's test-problem definitions: (11, 11) for ZDT, 1.1 per objective
// for DTLZ2.
std::vector<double> reference_point(const std::string& problem) {
  return problem == "dtlz2" ? std::vector<double>{1.1, 1.1} : std::vector<double>{11, 11};
}

struct Settings {
  SamplerOptions sampler;  // defaults unless an option says otherwise
  std::vector<double> reference_point;
  std::string label;  // the options, for the table
};

std::unique_ptr<Sampler> make(const std::string& sampler, const Settings& settings) {
  if (sampler == "random") return std::make_unique<RandomSampler>(QuasiKind::none);
  MultiObjectiveOptions objectives;
  objectives.directions = {Direction::minimize, Direction::minimize};
  objectives.reference_point = settings.reference_point;
  return std::make_unique<MultiObjectiveSampler>(settings.sampler, objectives);
}

Settings parse_settings(const std::string& problem, int argc, char** argv, int first) {
  Settings settings;
  for (int i = first; i < argc; ++i) {
    const std::string option = argv[i];
    if (option.rfind("startup=", 0) == 0)
      settings.sampler.startup_rounds = std::stoi(option.substr(8));
    else if (option == "quasi=sobol")
      settings.sampler.quasi = QuasiKind::sobol;
    else if (option == "reference=given")
      settings.reference_point = reference_point(problem);
    else if (option.rfind("reference=", 0) == 0)
      settings.reference_point = {std::stod(option.substr(10)), std::stod(option.substr(10))};
    else
      throw std::invalid_argument("unknown option " + option);
    settings.label += (settings.label.empty() ? "" : ", ") + option;
  }
  return settings;
}

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Run {
  std::vector<std::vector<double>> objectives;
  std::vector<double> propose_seconds;
  std::vector<Trial> history;
};

Run run(const std::string& problem, const std::string& sampler_name, const Settings& settings,
        uint64_t seed, int evaluations, int variables) {
  const auto space = unit_cube_space(variables);
  auto sampler = make(sampler_name, settings);
  Run out;
  for (int i = 0; i < evaluations; ++i) {
    SamplerContext context{space, out.history, Direction::minimize, seed};
    const double start = cpu_seconds();
    auto params = sampler->propose(context);
    out.propose_seconds.push_back(cpu_seconds() - start);
    const auto f = multi_objective_benchmark(problem, *params);
    Trial t;
    t.number = i;
    t.params = *params;
    t.state = TrialState::complete;
    t.values = f;
    out.history.push_back(std::move(t));
    out.objectives.push_back(f);
  }
  return out;
}

double hypervolume_after(const Run& r, size_t n, const std::vector<double>& reference) {
  return hypervolume({r.objectives.begin(),
                      r.objectives.begin() + static_cast<long>(std::min(n, r.objectives.size()))},
                     reference);
}

void BM_ProposeZdt1(benchmark::State& state) {
  const auto trials = static_cast<int>(state.range(0));
  const Run history = run("zdt1", "mobo", {}, 1, trials, 6);
  const auto space = unit_cube_space(6);
  auto sampler = make("mobo", {});
  for (auto _ : state) {
    SamplerContext context{space, history.history, Direction::minimize, 1};
    benchmark::DoNotOptimize(sampler->propose(context));
  }
}
BENCHMARK(BM_ProposeZdt1)->Arg(40)->Arg(80)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 7 && std::strcmp(argv[1], "--trace") == 0) {
    const std::string problem = argv[2], sampler = argv[3];
    const int seeds = std::stoi(argv[4]), evaluations = std::stoi(argv[5]);
    const int variables = std::stoi(argv[6]);
    const Settings settings = parse_settings(problem, argc, argv, 7);
    const auto reference = reference_point(problem);
    nlohmann::json out;
    out["problem"] = problem;
    out["sampler"] =
        "greentune " + sampler + (settings.label.empty() ? "" : " (" + settings.label + ")");
    out["variables"] = variables;
    out["reference"] = reference;
    out["runs"] = nlohmann::json::array();
    for (int s = 0; s < seeds; ++s) {
      const Run r =
          run(problem, sampler, settings, static_cast<uint64_t>(s), evaluations, variables);
      nlohmann::json j;
      j["seed"] = s;
      j["objectives"] = r.objectives;
      j["propose_cpu_seconds"] = r.propose_seconds;
      j["hypervolume"] = {{"40", hypervolume_after(r, 40, reference)},
                          {"80", hypervolume_after(r, 80, reference)}};
      out["runs"].push_back(j);
      std::fprintf(stderr, "%s %s seed %d done\n", problem.c_str(), sampler.c_str(), s);
    }
    std::puts(out.dump().c_str());
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
