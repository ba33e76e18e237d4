// `greentune tune CONFIG.toml`: runs (or continues) a study and prints one line per round, then
// the best trial, the optimum round and the joules spent to reach it.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "cli/output_option.hpp"
#include "cli/training_executable.hpp"
#include "cli/tune_command.hpp"
#include "greentune/common/atomic_file.hpp"
#include "greentune/common/duration_text.hpp"
#include "greentune/common/error.hpp"
#include "greentune/energy/discovery.hpp"
#include "greentune/energy/gpu_power_limit.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/measured/measured_objective.hpp"
#include "greentune/measured/power_limited_objective.hpp"
#include "greentune/measured/run_conditions.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/tune/analysis.hpp"
#include "greentune/tune/benchmarks.hpp"
#include "greentune/tune/config.hpp"
#include "greentune/tune/front.hpp"
#include "greentune/tune/objective.hpp"
#include "greentune/tune/progress_text.hpp"
#include "greentune/tune/pruner_config.hpp"
#include "greentune/tune/pruning_summary.hpp"
#include "greentune/tune/samplers.hpp"
#include "greentune/tune/study.hpp"
#include "greentune/tune/study_sampler.hpp"
#if GREENTUNE_HAS_TORCH
#include "greentune/nn/runtime.hpp"
#include "greentune/nn/train_objective.hpp"
#endif

namespace {

using namespace greentune;

struct TuneOptions {
  std::string config;
  std::optional<std::string> strategy, storage, study;
  std::optional<int> rounds;
  std::optional<uint64_t> seed;
  cli::OutputTarget json;
  double heartbeat = 10;
  double stale_after = 60;
  bool no_energy = false;
  cli::WorkerOptions workers;  // the command objective's --workers, --gpus, --trials-per-gpu
};

std::string format_value(const std::optional<double>& value) {
  return value ? fmt::format("{:.6g}", *value) : std::string("-");
}

std::string format_params(const tune::Params& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += ", ";
    out += name + "=" + tune::to_string(value);
  }
  return out;
}

std::unique_ptr<energy::Monitor> open_monitor() {
  try {
    auto sources = energy::open_sources(energy::SystemPaths::from_environment(), {});
    if (sources.empty()) return nullptr;
    return std::make_unique<energy::Monitor>(std::move(sources), energy::MonitorOptions{});
  } catch (const std::exception& e) {
    spdlog::warn("no energy measurement for this study: {}", e.what());
    return nullptr;
  }
}

tune::Objective make_objective(const tune::StudyConfig& config, const std::string& source,
                               energy::Monitor* monitor) {
  if (config.objective == "train") {
#if GREENTUNE_HAS_TORCH
    auto settings = nn::parse_train_settings(config.train, source);
    return nn::make_train_objective(settings, config.space, monitor);
#else
    throw InputError(
        fmt::format("{}: objective train needs greentune built with LibTorch "
                    "(GREENTUNE_WITH_TORCH=ON); branin and hartmann6 work without",
                    source));
#endif
  }
  auto objective = tune::benchmark_objective(config.objective);
  return monitor ? measured::measured(std::move(objective), *monitor) : objective;
}

nlohmann::json summary_json(const tune::StudySummary& s) {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"trials", s.trials},
          {"complete", s.complete},
          {"best", opt(s.best)},
          {"optimum_round", opt(s.optimum_round)},
          {"joules_to_optimum", s.joules_to_optimum},
          {"seconds_to_optimum", s.seconds_to_optimum},
          {"total_joules", s.total_joules},
          {"total_seconds", s.total_seconds}};
}

std::string format_values(const std::vector<double>& values) {
  std::string out;
  for (double v : values) out += (out.empty() ? "" : ", ") + fmt::format("{:.6g}", v);
  return out.empty() ? std::string("-") : out;
}

// A metric or constraint of joules is greentune's own measurement: without one it would be 0 for
// every trial and the study would optimise nothing.
void refuse_unmeasured_joules(const tune::StudyObjectives& objectives, const std::string& source) {
  bool joules = std::find(objectives.metrics.begin(), objectives.metrics.end(), "joules") !=
                objectives.metrics.end();
  for (const auto& c : objectives.constraints) joules = joules || c.quantity == "joules";
  if (joules)
    throw InputError(fmt::format(
        "{}: the study optimises or constrains joules, greentune's own measurement of each "
        "trial, but energy is not measured (--no-energy, or no usable source: see `greentune "
        "meters`)",
        source));
}

void print_front_summary(const tune::StudyConfig& config, const std::vector<tune::Trial>& trials,
                         const tune::ParetoFront& front) {
  fmt::print("front: {} trial(s) of {} complete{}, hypervolume {:.6g} (reference {} {})\n",
             front.members.size(), front.complete,
             config.objectives.constrained() ? fmt::format(", {} feasible", front.feasible) : "",
             front.hypervolume, front.reference_given ? "given," : "inferred,",
             format_values(front.reference));
  if (front.knee)
    fmt::print("knee: trial {} ({})\n", trials[*front.knee].number,
               format_values(trials[*front.knee].values));
  fmt::print("every trial on the front: greentune pareto {} --storage {}\n", config.name,
             config.storage);
}

nlohmann::json front_json(const std::vector<tune::Trial>& trials, const tune::ParetoFront& front) {
  nlohmann::json members = nlohmann::json::array();
  for (size_t i : front.members) members.push_back(trials[i].number);
  return {{"members", members},
          {"hypervolume", front.hypervolume},
          {"reference", front.reference},
          {"reference_given", front.reference_given},
          {"knee", front.knee ? nlohmann::json(trials[*front.knee].number) : nullptr},
          {"complete", front.complete},
          {"feasible", front.feasible}};
}

std::atomic<tune::Study*> active_study{nullptr};
std::atomic<cli::CommandTuning*> active_command{nullptr};
std::atomic<energy::GpuPowerLimit*> active_power_limit{nullptr};

int run_tune(const TuneOptions& options) {
#if GREENTUNE_HAS_TORCH
  nn::restart_with_short_openmp_spin();  // first: it may start the process again
#else
  if (cli::study_trains(options.config)) cli::exec_training_executable();
#endif
  cli::prepare_outputs({&options.json});
  // Ctrl-C / SIGTERM mark the running trial failed (to be re-run) before the process exits.
  tune::SignalGuard guard([](int signo) {
    const char* name = signo == SIGINT ? "SIGINT" : "SIGTERM";
    // The programs of command trials are stopped first; their workers mark the trials failed.
    if (cli::CommandTuning* command = active_command.load()) command->interrupt();
    if (tune::Study* study = active_study.load()) {
      study->fail_open_trials(fmt::format("interrupted by {}", name));
    }
    if (energy::GpuPowerLimit* limit = active_power_limit.load()) {
      try {
        limit->restore();
      } catch (const std::exception& e) {
        fmt::print(stderr, "greentune tune: {}; the next greentune tune puts it back\n", e.what());
      }
    }
    fmt::print(stderr,
               "greentune tune: interrupted by {}; the running trial was marked failed. Run the "
               "same command again to continue the study.\n",
               name);
  });

  tune::StudyConfig config = tune::parse_study_config(options.config);
  if (options.strategy) config.strategy = *options.strategy;
  if (options.storage) config.storage = *options.storage;
  if (options.study) config.name = *options.study;
  if (options.rounds) config.rounds = *options.rounds;
  if (options.seed) config.seed = *options.seed;
  auto sampler = tune::make_study_sampler(config.strategy, config.sampler, config.objectives);
  std::unique_ptr<cli::CommandTuning> command;
  if (config.objective == "command") {
    cli::WorkerOptions workers = options.workers;
    workers.measure_energy = !options.no_energy;
    command = std::make_unique<cli::CommandTuning>(config, options.config, workers);
  } else if (options.workers.workers != 1 || !options.workers.gpus.empty()) {
    throw InputError(
        "--workers and --gpus: only for objective = \"command\"; run more "
        "`greentune tune` processes on one store to share other studies");
  }
  auto monitor = options.no_energy || command ? nullptr : open_monitor();
  if (options.no_energy || (!command && !monitor))
    refuse_unmeasured_joules(config.objectives, options.config);
  // A greentune killed while a trial's GPU power limit was set left it journalled: back first.
  const auto journal = energy::power_limit_journal_path();
  if (const auto restored = energy::restore_journaled_power_limit(journal); !restored.empty())
    fmt::print("{}\n", restored);
  // Before the store: a bad [train] table, missing data set or a power limit greentune may not
  // change leaves no new file behind.
  const std::string device =
      config.train.is_object() ? config.train.value("device", std::string("cpu")) : "cpu";
  auto power_limit = measured::open_power_limit(config.space, device, journal, options.config);
  if (power_limit && command)
    throw InputError(fmt::format(
        "{}: a GPU power limit is tuned for the train objective only; a command sets its own "
        "GPU's limit (nvidia-smi -pl) if it needs one",
        options.config));
  tune::Objective objective =
      command ? command->objective() : make_objective(config, options.config, monitor.get());
  if (power_limit) objective = measured::with_power_limit(std::move(objective), power_limit);
  auto storage = store::open_storage(config.storage);

  tune::StudyOptions study_options;
  study_options.name = config.name;
  study_options.direction = config.direction;
  study_options.objectives = config.objectives;
  study_options.strategy = config.strategy;
  study_options.objective = config.objective;
  study_options.space = config.space;
  study_options.config_json = tune::config_to_json(config).dump();
  study_options.seed = config.seed;
  study_options.rounds = config.rounds;
  study_options.heartbeat_seconds = options.heartbeat;
  study_options.stale_seconds = options.stale_after;
  study_options.pruner = tune::make_pruner(config.pruner);
  study_options.budget = config.budget;
  tune::Study study(*storage, study_options, std::move(sampler));
  active_study = &study;
  active_power_limit = power_limit.get();

  int already = study.finished_count();
  std::string goal;
  for (size_t d = 0; d < config.objectives.metrics.size(); ++d)
    goal += fmt::format("{}{} {}", d ? ", " : "", tune::to_string(config.objectives.directions[d]),
                        config.objectives.metrics[d]);
  for (const auto& c : config.objectives.constraints) goal += ", " + tune::to_string(c);
  fmt::print("study {}: {} on {}, {}; {} rounds ({} done), storage {}\n", config.name,
             config.strategy, config.objective, goal, config.rounds, already, config.storage);
  if (command) {
    fmt::print("{}; {} worker(s)\n", command->energy_summary(), command->workers());
  } else if (!monitor && !options.no_energy) {
    fmt::print("energy: not measured (no usable source)\n");
  }
  std::fflush(stdout);

  int width = static_cast<int>(std::to_string(config.rounds).size());
  auto print_round = [&](const tune::Progress& p) {
    fmt::print("{}\n", tune::tune_progress_line(p, width));
    if (command) fmt::print("{}", cli::CommandTuning::trial_note(*p.trial));
    std::fflush(stdout);
  };
  if (command) {
    active_command = command.get();
    command->run(study, study_options, config.storage, config.rounds, print_round);
    active_command = nullptr;
  } else {
    // Every in-process objective (train, benchmarks) passes here: the machine's state while each
    // trial ran goes into its record.
    study.optimize(measured::with_conditions(objective), config.rounds, print_round);
  }
  active_study = nullptr;
  active_power_limit = nullptr;

  auto trials = study.trials();
  int running = 0;
  for (const auto& t : trials) running += t.state == tune::TrialState::running ? 1 : 0;
  if (running > 0) {
    fmt::print(
        "note: {} trial(s) still running in other processes; if one of them died, its trial is "
        "re-run by the next `greentune tune` after --stale-after ({} s) without a heartbeat\n",
        running, options.stale_after);
  }
  auto summary = tune::summarize_study(trials, config.direction, config.tolerance);
  auto best = study.best_trial();
  const auto front = tune::pareto_front(trials, config.objectives);
  if (config.objectives.multi_objective()) {
    print_front_summary(config, trials, front);
  } else if (best) {
    fmt::print("best: trial {} value {} ({})\n", best->number, format_value(best->value()),
               format_params(best->params));
  } else {
    fmt::print("best: none (no trial {})\n",
               config.objectives.constrained() ? "completed within the constraints" : "completed");
  }
  if (summary.optimum_round && !config.objectives.multi_objective()) {
    fmt::print(
        "optimum round {} of {} (first within {} of the best); {:.4g} J and {} to reach it, "
        "{:.4g} J in all\n",
        *summary.optimum_round, summary.trials, config.tolerance, summary.joules_to_optimum,
        duration_text(summary.seconds_to_optimum), summary.total_joules);
  }
  const auto savings = tune::estimate_pruning_savings(trials, config.pruner.max_step);
  for (const auto& line :
       tune::energy_summary_lines(savings, config.budget, tune::study_joules_spent(trials)))
    fmt::print("{}\n", line);

  if (options.json.requested()) {
    nlohmann::json out;
    out["study"] = config.name;
    out["storage"] = config.storage;
    out["strategy"] = config.strategy;
    out["objective"] = config.objective;
    out["direction"] = tune::to_string(config.direction);
    out.update(tune::objectives_to_json(config.objectives));
    out["front"] = front_json(trials, front);
    out["rounds"] = config.rounds;
    out["seed"] = config.seed;
    out["tolerance"] = config.tolerance;
    out["summary"] = summary_json(summary);
    out["pruning"] = tune::pruning_json(savings, config.pruner);
    out["budget"] = {
        {"max_joules", config.budget.max_joules},
        {"max_trial_joules", config.budget.max_trial_joules},
        {"spent_joules", tune::study_joules_spent(trials)},
        {"spent", tune::study_budget_spent(config.budget, tune::study_joules_spent(trials))}};
    out["best_trial"] = best ? tune::to_json(*best) : nlohmann::json(nullptr);
    nlohmann::json curve = nlohmann::json::array();
    for (const auto& point : tune::best_so_far(trials, config.direction)) {
      curve.push_back({{"round", point.round},
                       {"value", point.value ? nlohmann::json(*point.value) : nullptr},
                       {"best", point.best ? nlohmann::json(*point.best) : nullptr},
                       {"joules", point.joules},
                       {"seconds", point.seconds}});
    }
    out["best_so_far"] = curve;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& t : trials) list.push_back(tune::to_json(t));
    out["trials"] = list;
    cli::write_output(options.json, out.dump(2) + "\n");
  }
  return 0;
}

const bool registered = greentune::cli::register_command(
    "tune", "Run or continue a hyperparameter study (grid, random or Bayesian)", [](CLI::App& app) {
      auto options = std::make_shared<TuneOptions>();
      app.add_option("config", options->config, "Study config (TOML)")->required();
      app.add_option("--strategy", options->strategy,
                     "grid | random | sobol | halton | bayes (default from the config)");
      app.add_option("--rounds", options->rounds,
                     "Finished trials the study aims for (default from the config)")
          ->check(cli::whole_number(1, tune::kMaxRounds));
      app.add_option("--storage", options->storage,
                     "sqlite:PATH or postgresql://... (default from the config)");
      app.add_option("--study", options->study, "Study name (default from the config)");
      app.add_option("--seed", options->seed, "Sampler seed (default from the config)")
          ->check(cli::whole_number(0, std::numeric_limits<int64_t>::max()));
      cli::add_output_option(app, "--json", options->json,
                             "Print the study's summary and trials as JSON on stdout at the end "
                             "(the progress goes to stderr)");
      app.add_option("--heartbeat", options->heartbeat,
                     "Seconds between heartbeats of a running trial")
          ->check(CLI::PositiveNumber);
      app.add_option("--stale-after", options->stale_after,
                     "A running trial without a heartbeat this long is failed and re-run")
          ->check(CLI::PositiveNumber);
      app.add_flag("--no-energy", options->no_energy, "Do not measure energy");
      app.add_option("--workers", options->workers.workers,
                     "objective command: trials run at once on this machine")
          ->check(CLI::Range(1, 1024));
      app.add_option("--gpus", options->workers.gpus,
                     "objective command: GPUs to hand out, one per running trial through "
                     "CUDA_VISIBLE_DEVICES (e.g. 0,1,2,3)");
      app.add_option("--trials-per-gpu", options->workers.trials_per_gpu,
                     "objective command: trials that may share one GPU")
          ->check(CLI::Range(1, 64));
      cli::set_examples(app, "greentune tune examples/command/study.toml --workers 2",
                        "greentune tune study.toml --rounds 30 --json=study.json");
      return [options] { return run_tune(*options); };
    });

}  // namespace
