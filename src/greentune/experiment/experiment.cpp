#include "greentune/experiment/experiment.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <map>

#include "greentune/common/duration_text.hpp"
#include "greentune/common/error.hpp"
#include "greentune/data/load.hpp"
#include "greentune/energy/discovery.hpp"
#include "greentune/experiment/interleave.hpp"
#include "greentune/experiment/repeated_objective.hpp"
#include "greentune/measured/run_conditions.hpp"
#include "greentune/nn/runtime.hpp"
#include "greentune/nn/train_objective.hpp"
#include "greentune/report/html.hpp"
#include "greentune/system/machine.hpp"
#include "greentune/tune/progress_text.hpp"
#include "greentune/tune/samplers.hpp"
#include "greentune/tune/study.hpp"

namespace greentune::experiment {
namespace {

std::string split_key(const nn::TrainObjectiveSettings& s) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}", s.dataset, s.data_dir, s.validation, s.paper_mode,
                     s.subset, s.test_subset, s.train.hp.seed);
}

// Data sets are loaded once per run of the command, whatever number of studies use them.
class DataCache {
 public:
  std::shared_ptr<const data::Split> get(const nn::TrainObjectiveSettings& s) {
    auto key = split_key(s);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    auto split = std::make_shared<const data::Split>(data::load_split(s.dataset, s.load_options()));
    cache_[key] = split;
    return split;
  }

 private:
  std::map<std::string, std::shared_ptr<const data::Split>> cache_;
};

std::unique_ptr<energy::Monitor> open_monitor(const ExperimentConfig& config) {
  try {
    auto sources = energy::open_sources(energy::SystemPaths::from_environment(), {});
    if (sources.empty()) return nullptr;
    energy::MonitorOptions options;
    options.carbon.grams_per_kwh = config.grams_per_kwh;
    options.carbon.pue = config.pue;
    return std::make_unique<energy::Monitor>(std::move(sources), options);
  } catch (const std::exception& e) {
    spdlog::warn("no energy measurement for this experiment: {}", e.what());
    return nullptr;
  }
}

struct PlannedStudy {
  tune::StudyOptions options;
  std::unique_ptr<tune::Sampler> sampler;
  tune::Objective objective;
  int rounds = 0;
  const tune::StudyConfig* config = nullptr;  // the tuning study's config; nullptr for the sweep
};

// Refuses, before any study runs, a config whose space, direction or objective no longer matches
// a study already in the store: the store stays as it was.
void check_against_store(tune::Storage& storage, const std::vector<PlannedStudy>& plan) {
  for (const auto& planned : plan) {
    auto existing = storage.find_study(planned.options.name);
    if (!existing) continue;
    auto stored = nlohmann::json::parse(existing->space_json, nullptr, false);
    auto wanted = tune::space_to_json(planned.options.space);
    if (stored != wanted)
      throw InputError(fmt::format(
          "study {} exists in the store with a different space: stored {}, configured {}; use a "
          "new experiment name or store to run the changed space",
          planned.options.name, existing->space_json, wanted.dump()));
    if (existing->objective != planned.options.objective ||
        existing->direction != planned.options.direction)
      throw InputError(fmt::format(
          "study {} exists in the store with objective {} ({}); the "
          "config asks for {} ({})",
          planned.options.name, existing->objective, tune::to_string(existing->direction),
          planned.options.objective, tune::to_string(planned.options.direction)));
  }
}

// One study of the experiment while it runs.
struct Arm {
  PlannedStudy* planned = nullptr;
  std::unique_ptr<tune::Study> study;
  int failures_in_a_row = 0;
  bool exhausted = false;
  double seconds = 0;  // spent on this study's trials in this call
  int trials = 0;      // its trials run in this call
};

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs the studies of one phase one round at a time in next_turns' order and logs each round with
// an estimate of the time the phase has left.
class RoundRunner {
 public:
  RoundRunner(const RunOptions& options, RunSummary& summary)
      : options_(options), summary_(summary) {}

  void run_interleaved(std::vector<Arm>& arms) {
    if (arms.empty()) return;
    for (;;) {
      std::vector<ArmProgress> progress;
      for (auto& arm : arms)
        progress.push_back({arm.study->finished_count(), arm.planned->rounds, arm.exhausted});
      auto turns = next_turns(progress);
      if (turns.empty()) return;
      for (size_t i : turns) run_round(arms, arms[i]);
    }
  }

 private:
  // Seconds the phase has left: each study's remaining rounds at its own mean time per trial so
  // far (the phase's mean for a study that has not run yet); -1 before any trial ran.
  double eta_seconds(const std::vector<Arm>& arms) const {
    double seconds = 0;
    int trials = 0;
    for (const auto& arm : arms) {
      seconds += arm.seconds;
      trials += arm.trials;
    }
    if (trials == 0) return -1;
    double eta = 0;
    for (const auto& arm : arms) {
      if (arm.exhausted) continue;
      int left = std::max(0, arm.planned->rounds - arm.study->finished_count());
      double per_trial = arm.trials > 0 ? arm.seconds / arm.trials : seconds / trials;
      eta += left * per_trial;
    }
    return eta;
  }

  void run_round(const std::vector<Arm>& arms, Arm& arm) {
    const auto& name = arm.planned->options.name;
    const size_t trials_before = arm.study->trials().size();
    if (options_.active_study) options_.active_study->store(arm.study.get());
    const double started = now_seconds();
    auto finished = arm.study->optimize(arm.planned->objective, 1, [&](const tune::Progress& p) {
      arm.seconds += now_seconds() - started;
      ++arm.trials;
      if (!options_.log) return;
      std::string value = p.trial->state == tune::TrialState::complete && p.trial->value()
                              ? fmt::format("{:.4f}", *p.trial->value())
                              : tune::trial_state_text(*p.trial);
      std::string params;
      for (const auto& [param, v] : p.trial->params)
        params += (params.empty() ? "" : " ") + param + "=" + tune::to_string(v);
      options_.log(fmt::format(
          "{} round {}/{}  trial {}  value {}  best {}  {}  ETA {}  ({})", name, p.round, p.rounds,
          p.trial->number, value, p.best ? fmt::format("{:.4f}", *p.best) : std::string("-"),
          tune::energy_progress_text(p), duration_text(eta_seconds(arms)), params));
    });
    if (options_.active_study) options_.active_study->store(nullptr);
    summary_.trials_run += static_cast<int>(finished.size());
    if (finished.empty()) {
      // Nothing was asked for: the sampler has no point left (a grid smaller than the rounds).
      // A trial that was asked for but taken over by another worker is not that.
      if (arm.study->trials().size() == trials_before) arm.exhausted = true;
      return;
    }
    if (finished.front().state != tune::TrialState::failed) {
      arm.failures_in_a_row = 0;
      return;
    }
    // A failed round is run again in the same turn order; a deterministic failure must not loop.
    if (++arm.failures_in_a_row >= arm.study->options().max_consecutive_failures)
      throw Error(fmt::format(
          "study '{}': {} trials failed in a row (last: trial {}, {}); stopping so a failing "
          "configuration is not retried forever",
          name, arm.failures_in_a_row, finished.front().number,
          finished.front().error.empty() ? std::string("no reason given")
                                         : finished.front().error));
  }

  const RunOptions& options_;
  RunSummary& summary_;
};

}  // namespace

nlohmann::json run_context(const ExperimentConfig& config) {
  auto machine = system::describe_machine();
  nlohmann::json context;
  context["experiment"] = config.name;
  context["repetitions"] = config.repetitions;
  context["machine"] = {
      {"host", machine.hostname},
      {"cpu", machine.cpu_model.empty() ? "unknown" : machine.cpu_model},
      {"logical_cpus", machine.logical_cpus},
      {"gpu", nn::cuda_available() ? "CUDA device available" : "none used (CPU training)"},
      {"blas", machine.blas},
      {"threads", nn::torch_threads()},
      {"allocator", machine.allocator},
      {"torch", nn::torch_version()},
      {"kernel", machine.kernel}};
  context["carbon"] = {{"grams_per_kwh", config.grams_per_kwh}, {"pue", config.pue}};
  return context;
}

RunSummary run_experiment(const ExperimentConfig& config, const RunOptions& options) {
  auto storage = store::open_storage(config.storage);
  auto monitor = options.measure_energy ? open_monitor(config) : nullptr;
  // Before run_context reads the thread count into every study's record. When only the sweep runs,
  // its [sweep.train] decides (the record said "threads 1" while its training used 2).
  if (config.sweep && (options.sweep_only || config.studies.empty())) {
    nn::configure_threads(
        nn::parse_train_settings(config.sweep->train, "sweep.train").train.threads);
  } else if (!config.studies.empty()) {
    nn::configure_threads(
        nn::parse_train_settings(config.studies.front().train, "train").train.threads);
  }
  nlohmann::json context = run_context(config);
  if (!config.seeds.empty()) context["seeds"] = config.seeds;
  DataCache data;

  std::vector<PlannedStudy> plan;
  if (!options.sweep_only) {
    for (const auto& study : config.studies) {
      PlannedStudy planned;
      planned.options.name = study.name;
      planned.options.direction = study.direction;
      planned.options.strategy = study.strategy;
      planned.options.objective = study.objective;
      planned.options.space = study.space;
      planned.options.group = config.name;
      planned.options.seed = study.seed;
      planned.options.rounds = study.rounds;
      planned.options.pruner = tune::make_pruner(study.pruner);
      auto json = tune::config_to_json(study);
      json.update(context);
      planned.options.config_json = json.dump();
      planned.sampler = tune::make_sampler(study.strategy, study.sampler);
      planned.rounds = study.rounds;
      planned.config = &study;
      plan.push_back(std::move(planned));
    }
  }
  if (options.sweep_only && !config.sweep)
    throw InputError("the config has no [sweep] table (conv, linear, relu, repetitions)");
  if (config.sweep) {
    auto cells = sweep_cells(*config.sweep);
    PlannedStudy planned;
    planned.options.name = config.name + "/sweep";
    planned.options.direction = tune::Direction::maximize;
    planned.options.strategy = "sweep";
    planned.options.objective = "train";
    planned.options.space = sweep_space(*config.sweep);
    planned.options.group = config.name;
    planned.options.seed = config.seed;
    planned.options.rounds = static_cast<int>(cells.size());
    nlohmann::json json = context;
    json["sweep"] = {{"model", config.sweep->model},
                     {"conv", config.sweep->conv},
                     {"linear", config.sweep->linear},
                     {"relu", config.sweep->relu},
                     {"repetitions", config.sweep->repetitions}};
    json["train"] = config.sweep->train;
    json["tolerance"] = config.tolerance;
    planned.options.config_json = json.dump();
    planned.sampler = std::make_unique<SweepSampler>(cells);
    planned.rounds = static_cast<int>(cells.size());
    plan.push_back(std::move(planned));
  }
  check_against_store(*storage, plan);
  // A missing GPU would otherwise fail the first trial of every study, leaving failed rounds.
  std::vector<nlohmann::json> trains;
  for (const auto& study : config.studies) trains.push_back(study.train);
  if (config.sweep) trains.push_back(config.sweep->train);
  for (const auto& train : trains)
    if (train.contains("device") && train["device"] == "cuda" && !nn::cuda_available())
      throw InputError(
          "train.device = \"cuda\" but no CUDA device is usable by this greentune (LibTorch "
          "without CUDA, or no GPU visible); set device = \"cpu\" or build against a CUDA "
          "LibTorch");

  // Objectives are built here, not in the plan: loading data is the slow part, and a refused
  // config should fail before it. Every objective records the machine's state while it ran.
  for (auto& planned : plan) {
    if (!planned.config) {
      auto settings = nn::parse_train_settings(config.sweep->train, "sweep.train");
      if (!config.sweep->train.contains("profile_layers")) settings.train.profile_layers = true;
      const std::string model = config.sweep->model;
      planned.objective = measured::with_conditions(
          repeated_objective(data.get(settings), monitor.get(), 1,
                             [settings, model](const tune::Params& params, int repetition) {
                               auto cell = cell_from_params(params);
                               nn::TrainOptions train = settings.train;
                               train.model_spec = cell_model_spec(model, cell);
                               train.hp.seed += static_cast<uint64_t>(cell.rep) * 1000 + repetition;
                               return train;
                             }));
    } else {
      auto settings = nn::parse_train_settings(planned.config->train, planned.options.name);
      // With `seeds`, a seed sets the training runs' seeds too (weight initialisation, batch
      // order), seed x repetitions + k for repetition k, so no two studies share a run's seed; the
      // data split stays the one of [train].seed, the same for every study.
      const uint64_t reps = static_cast<uint64_t>(config.repetitions);
      const uint64_t first_seed =
          config.seeds.empty() ? settings.train.hp.seed : planned.config->seed * reps;
      planned.objective = measured::with_conditions(
          repeated_objective(data.get(settings), monitor.get(), config.repetitions,
                             [settings, first_seed](const tune::Params& params, int repetition) {
                               nn::TrainOptions train = settings.train;
                               train.hp = nn::hyperparameters_for(settings.train.hp, params);
                               train.hp.seed = first_seed + static_cast<uint64_t>(repetition);
                               return train;
                             }));
    }
  }

  RunSummary summary;
  std::vector<Arm> tuning, sweep;
  for (auto& planned : plan) {
    Arm arm;
    arm.planned = &planned;
    arm.study =
        std::make_unique<tune::Study>(*storage, planned.options, std::move(planned.sampler));
    ++summary.studies;
    if (options.log)
      options.log(fmt::format("study {}: {} of {} rounds done", planned.options.name,
                              arm.study->finished_count(), planned.rounds));
    (planned.config ? tuning : sweep).push_back(std::move(arm));
  }
  // The strategies interleaved (round r of each before round r + 1 of any), then the sweep, whose
  // sampler interleaves its cells' repetitions itself (sweep_cells' order).
  RoundRunner runner(options, summary);
  runner.run_interleaved(tuning);
  runner.run_interleaved(sweep);

  if (options.write_report) {
    // The trials are safe in the store whatever happens here: a report that cannot be written
    // costs the report, never the experiment's results.
    try {
      report::ReportOptions report_options;
      report_options.optimum_tolerance = config.tolerance;
      report_options.store_label = config.storage;
      auto files = report::write_report(*storage, config.report_dir, report_options);
      summary.report_html = files.html;
    } catch (const std::exception& e) {
      summary.report_error = fmt::format(
          "the report could not be written to {}: {}. Every trial is in the store {}; write the "
          "report again with `greentune report {} --out DIR`",
          config.report_dir.string(), e.what(), config.storage, config.storage);
      if (options.log) options.log("warning: " + summary.report_error);
    }
  }
  return summary;
}

}  // namespace greentune::experiment
