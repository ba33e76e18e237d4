#include "greentune/experiment/experiment.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <toml++/toml.h>
#include <cmath>
#include <map>

#include "greentune/common/duration_text.hpp"
#include "greentune/common/error.hpp"
#include "greentune/data/load.hpp"
#include "greentune/energy/discovery.hpp"
#include "greentune/measured/trial_window.hpp"
#include "greentune/nn/runtime.hpp"
#include "greentune/nn/train_objective.hpp"
#include "greentune/nn/trainer.hpp"
#include "greentune/report/html.hpp"
#include "greentune/report/stats.hpp"
#include "greentune/system/machine.hpp"
#include "greentune/tune/samplers.hpp"
#include "greentune/tune/study.hpp"

namespace greentune::experiment {
namespace {

// ---- reading the config ----

[[noreturn]] void bad(const std::string& source, const std::string& key, const std::string& what) {
  throw InputError(fmt::format("{}: {}: {}", source, key, what));
}

// An experiment's studies and sweep run the repeated train objective, which reports accuracy
// alone: other metrics would be parsed and then silently not optimised.
void refuse_other_metrics(const nn::TrainObjectiveSettings& settings, const std::string& source) {
  if (settings.metrics != std::vector<std::string>{"accuracy"})
    bad(source, "train.metrics",
        "experiments tune and sweep on accuracy alone; optimise several metrics (joules, "
        "seconds, parameters) with `greentune tune`");
}

std::string text_of(const toml::node& node, const std::string& source, const std::string& key) {
  if (auto v = node.value<std::string>()) return *v;
  bad(source, key, "expected a string");
}

int64_t integer_of(const toml::node& node, const std::string& source, const std::string& key,
                   int64_t min) {
  auto v = node.value<int64_t>();
  if (!v || !node.is_integer()) bad(source, key, "expected an integer");
  if (*v < min) bad(source, key, fmt::format("expected at least {}, got {}", min, *v));
  return *v;
}

double number_of(const toml::node& node, const std::string& source, const std::string& key) {
  auto v = node.value<double>();
  if (!v || !(node.is_floating_point() || node.is_integer())) bad(source, key, "expected a number");
  return *v;
}

std::vector<std::string> strings_of(const toml::node& node, const std::string& source,
                                    const std::string& key) {
  const auto* array = node.as_array();
  if (!array || array->empty()) bad(source, key, "expected a non-empty array of strings");
  std::vector<std::string> out;
  for (const auto& item : *array) out.push_back(text_of(item, source, key));
  return out;
}

// Layer counts: an array of integers, or booleans for relu.
std::vector<int> counts_of(const toml::node& node, const std::string& source,
                           const std::string& key, int min, int max) {
  std::vector<int> out;
  auto add = [&](const toml::node& item) {
    if (auto b = item.value<bool>(); b && item.is_boolean()) {
      out.push_back(*b ? 1 : 0);
      return;
    }
    int64_t v = integer_of(item, source, key, min);
    if (v > max) bad(source, key, fmt::format("expected at most {}, got {}", max, v));
    out.push_back(static_cast<int>(v));
  };
  if (const auto* array = node.as_array()) {
    if (array->empty()) bad(source, key, "expected a non-empty array");
    for (const auto& item : *array) add(item);
  } else {
    add(node);
  }
  return out;
}

void check_keys(const toml::table& table, const std::string& source, const std::string& prefix,
                std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : table) {
    bool known = false;
    std::string list;
    for (const char* name : allowed) {
      known = known || key.str() == name;
      list += (list.empty() ? "" : ", ") + std::string(name);
    }
    if (!known)
      throw InputError(
          fmt::format("{}: unknown key {}{}; expected one of {}", source, prefix, key.str(), list));
  }
}

nlohmann::json toml_to_json(const toml::node& node) {
  if (const auto* t = node.as_table()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, value] : *t) j[std::string(key.str())] = toml_to_json(value);
    return j;
  }
  if (const auto* a = node.as_array()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& item : *a) j.push_back(toml_to_json(item));
    return j;
  }
  if (auto v = node.value_exact<std::string>()) return *v;
  if (auto v = node.value_exact<int64_t>()) return *v;
  if (auto v = node.value_exact<double>()) return *v;
  if (auto v = node.value_exact<bool>()) return *v;
  return nullptr;
}

SweepConfig parse_sweep(const toml::table& sweep, const nlohmann::json& train,
                        const std::string& source) {
  check_keys(sweep, source, "sweep.", {"model", "conv", "linear", "relu", "repetitions", "train"});
  SweepConfig config;
  if (const auto* n = sweep.get("model")) config.model = text_of(*n, source, "sweep.model");
  if (const auto* n = sweep.get("conv")) config.conv = counts_of(*n, source, "sweep.conv", 1, 8);
  if (const auto* n = sweep.get("linear"))
    config.linear = counts_of(*n, source, "sweep.linear", 2, 16);
  if (const auto* n = sweep.get("relu")) config.relu = counts_of(*n, source, "sweep.relu", 0, 1);
  if (const auto* n = sweep.get("repetitions"))
    config.repetitions = static_cast<int>(integer_of(*n, source, "sweep.repetitions", 1));
  config.train = train;
  if (const auto* n = sweep.get("train")) {
    if (!n->is_table()) bad(source, "sweep.train", "expected a table");
    config.train.merge_patch(toml_to_json(*n));
  }
  // Validates the keys now rather than after the tuning studies have run.
  refuse_other_metrics(nn::parse_train_settings(config.train, source + " [sweep.train]"), source);
  return config;
}

// ---- running ----

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

using OptionsFor = std::function<nn::TrainOptions(const tune::Params&)>;

// Trains `repetitions` times (seeds seed, seed+1, ...) and stores the mean as the round's value,
// every run's figures as the trial's repetitions, and the energy of all runs (what the round
// cost). The first run's epochs are the trial's intermediate reports.
tune::Objective repeated_objective(std::shared_ptr<const data::Split> split,
                                   energy::Monitor* monitor, int repetitions,
                                   OptionsFor options_for) {
  return [split, monitor, repetitions, options_for](const tune::Params& params,
                                                    tune::TrialContext& context) {
    measured::TrialWindow window(monitor, context, "trial-" + std::to_string(context.number()));
    std::vector<double> values, tests;
    std::vector<tune::TrainingFigures> runs;
    tune::ObjectiveResult result;
    tune::TrainingFigures training;
    int diverged = 0;
    for (int rep = 0; rep < repetitions; ++rep) {
      nn::TrainOptions options = options_for(params);
      options.hp.seed += static_cast<uint64_t>(rep);
      tune::IntermediateReport last;
      auto trained = nn::train(options, *split, monitor, [&](const nn::EpochRecord& epoch) {
        if (rep == 0) {
          last = nn::epoch_report(epoch, last);
          context.report(last);
        }
        return true;
      });
      if (trained.diverged) {
        ++diverged;
        if (result.error.empty()) result.error = trained.diverged_reason;
      }
      tune::Repetition run;
      run.seed = options.hp.seed;
      run.value = trained.best_validation_accuracy;
      run.seconds = trained.seconds;
      run.joules = nn::add_run_energy(trained, result.energy);
      run.diverged = trained.diverged;
      runs.push_back(nn::training_figures(trained));
      run.test_accuracy = runs.back().test_accuracy;
      training.repetitions.push_back(run);
      values.push_back(trained.best_validation_accuracy);
      if (run.test_accuracy) tests.push_back(*run.test_accuracy);
      result.seconds += trained.seconds;
      result.joules += run.joules;
    }
    window.close();
    // A round whose every run diverged has no value; otherwise diverged runs count with what
    // they reached, as the paper's mean of 8 did.
    if (diverged == repetitions) {
      result.state = tune::TrialState::diverged;
    } else {
      result.values = {report::mean(values)};
      result.error.clear();
    }
    training.model_spec = runs.front().model_spec;
    training.parameter_count = runs.front().parameter_count;
    if (!tests.empty()) training.test_accuracy = report::mean(tests);
    for (const auto& run : runs)
      for (const auto& [type, joules] : run.layer_joules)
        training.layer_joules[type] += joules / static_cast<double>(runs.size());
    if (repetitions == 1) training.repetitions.clear();
    result.training = std::move(training);
    return result;
  };
}

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

}  // namespace

ExperimentConfig parse_experiment_config(const std::filesystem::path& toml_file) {
  const std::string source = toml_file.string();
  toml::table root;
  try {
    root = toml::parse_file(source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw InputError(
        fmt::format("{}:{}:{}: {}", source, where.line, where.column, e.description()));
  }
  check_keys(root, source, "", {"experiment", "carbon", "sampler", "space", "train", "sweep"});
  const auto* exp = root.get_as<toml::table>("experiment");
  if (!exp) throw InputError(source + ": missing [experiment] table (name, storage, strategies)");
  check_keys(*exp, source, "experiment.",
             {"name", "storage", "strategies", "models", "datasets", "rounds", "repetitions",
              "seed", "tolerance", "report"});
  ExperimentConfig config;
  if (const auto* n = exp->get("name")) config.name = text_of(*n, source, "experiment.name");
  if (config.name.empty() || config.name.find('/') != std::string::npos)
    bad(source, "experiment.name", "expected a non-empty name without '/'");
  if (const auto* n = exp->get("storage"))
    config.storage = text_of(*n, source, "experiment.storage");
  if (const auto* n = exp->get("strategies"))
    config.strategies = strings_of(*n, source, "experiment.strategies");
  if (const auto* n = exp->get("models"))
    config.models = strings_of(*n, source, "experiment.models");
  if (const auto* n = exp->get("datasets"))
    config.datasets = strings_of(*n, source, "experiment.datasets");
  if (const auto* n = exp->get("rounds"))
    config.rounds = static_cast<int>(integer_of(*n, source, "experiment.rounds", 1));
  if (const auto* n = exp->get("repetitions"))
    config.repetitions = static_cast<int>(integer_of(*n, source, "experiment.repetitions", 1));
  if (const auto* n = exp->get("seed"))
    config.seed = static_cast<uint64_t>(integer_of(*n, source, "experiment.seed", 0));
  if (const auto* n = exp->get("tolerance")) {
    config.tolerance = number_of(*n, source, "experiment.tolerance");
    if (!(config.tolerance >= 0)) bad(source, "experiment.tolerance", "expected a number >= 0");
  }
  if (const auto* n = exp->get("report"))
    config.report_dir = text_of(*n, source, "experiment.report");
  if (config.report_dir.empty()) config.report_dir = config.name + "-report";
  if (const auto* carbon = root.get_as<toml::table>("carbon")) {
    check_keys(*carbon, source, "carbon.", {"grams_per_kwh", "pue"});
    if (const auto* n = carbon->get("grams_per_kwh"))
      config.grams_per_kwh = number_of(*n, source, "carbon.grams_per_kwh");
    if (const auto* n = carbon->get("pue")) config.pue = number_of(*n, source, "carbon.pue");
    if (!(config.grams_per_kwh >= 0)) bad(source, "carbon.grams_per_kwh", "expected >= 0");
    if (!(config.pue >= 1)) bad(source, "carbon.pue", "expected >= 1");
  }

  nlohmann::json train = nlohmann::json::object();
  if (const auto* n = root.get("train")) {
    if (!n->is_table()) bad(source, "train", "expected a table");
    train = toml_to_json(*n);
  }
  std::vector<std::string> models = config.models, datasets = config.datasets;
  if (models.empty()) models.push_back(train.value("model", std::string("simplecnn")));
  if (datasets.empty()) datasets.push_back(train.value("dataset", std::string("fashion-mnist")));
  if (const auto* sweep = root.get("sweep")) {
    if (!sweep->is_table()) bad(source, "sweep", "expected a table");
    nlohmann::json sweep_train = train;
    sweep_train["dataset"] = datasets.front();
    config.sweep = parse_sweep(*sweep->as_table(), sweep_train, source);
  }
  // A config with a sweep and no [space] only sweeps (the paper's RQ2 on its own).
  const bool tunes = root.get("space") != nullptr || !config.sweep;
  const bool several = models.size() > 1 || datasets.size() > 1;
  for (const auto& strategy : tunes ? config.strategies : std::vector<std::string>{})
    for (const auto& model : models)
      for (const auto& dataset : datasets) {
        toml::table study_table;
        std::string name = config.name + "/" + strategy;
        if (several) name += "/" + model + "/" + dataset;
        study_table.insert("study", toml::table{{"name", name},
                                                {"storage", config.storage},
                                                {"strategy", strategy},
                                                {"objective", "train"},
                                                {"rounds", config.rounds},
                                                {"seed", static_cast<int64_t>(config.seed)},
                                                {"tolerance", config.tolerance}});
        if (const auto* n = root.get("space")) study_table.insert("space", *n);
        if (const auto* n = root.get("sampler")) study_table.insert("sampler", *n);
        toml::table train_table;
        if (const auto* t = root.get_as<toml::table>("train")) train_table = *t;
        train_table.insert_or_assign("model", model);
        train_table.insert_or_assign("dataset", dataset);
        study_table.insert("train", train_table);
        auto study = tune::parse_study_config(study_table, source);
        nn::check_train_space(study.space, source);
        refuse_other_metrics(nn::parse_train_settings(study.train, source), source);
        config.studies.push_back(std::move(study));
      }
  return config;
}

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
  if (!config.studies.empty()) {
    auto settings = nn::parse_train_settings(config.studies.front().train, "train");
    nn::configure_threads(settings.train.threads);
  }
  const nlohmann::json context = run_context(config);
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
      auto json = tune::config_to_json(study);
      json.update(context);
      planned.options.config_json = json.dump();
      planned.sampler = tune::make_sampler(study.strategy, study.sampler);
      planned.rounds = study.rounds;
      plan.push_back(std::move(planned));
    }
  }
  if (options.sweep_only && !config.sweep)
    throw InputError("the config has no [sweep] table (conv, linear, relu, repetitions)");
  std::vector<SweepCell> cells;
  if (config.sweep) {
    cells = sweep_cells(*config.sweep);
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

  RunSummary summary;
  for (auto& planned : plan) {
    // Objectives are built here, not in the plan: loading data is the slow part, and a refused
    // config should fail before it.
    if (planned.options.strategy == "sweep") {
      auto settings = nn::parse_train_settings(config.sweep->train, "sweep.train");
      if (!config.sweep->train.contains("profile_layers")) settings.train.profile_layers = true;
      const std::string model = config.sweep->model;
      planned.objective = repeated_objective(
          data.get(settings), monitor.get(), 1, [settings, model](const tune::Params& params) {
            auto cell = cell_from_params(params);
            nn::TrainOptions train = settings.train;
            train.model_spec = cell_model_spec(model, cell);
            train.hp.seed += static_cast<uint64_t>(cell.rep) * 1000;
            return train;
          });
    } else {
      const tune::StudyConfig* study = nullptr;
      for (const auto& s : config.studies)
        if (s.name == planned.options.name) study = &s;
      auto settings = nn::parse_train_settings(study->train, planned.options.name);
      planned.objective =
          repeated_objective(data.get(settings), monitor.get(), config.repetitions,
                             [settings](const tune::Params& params) {
                               nn::TrainOptions train = settings.train;
                               train.hp = nn::hyperparameters_for(settings.train.hp, params);
                               return train;
                             });
    }
    tune::Study study(*storage, planned.options, std::move(planned.sampler));
    if (options.active_study) options.active_study->store(&study);
    ++summary.studies;
    int done = study.finished_count();
    if (options.log)
      options.log(fmt::format("study {}: {} of {} rounds done", planned.options.name, done,
                              planned.rounds));
    auto finished = study.optimize(planned.objective, planned.rounds, [&](const tune::Progress& p) {
      if (!options.log) return;
      std::string value = p.trial->state == tune::TrialState::complete && p.trial->value()
                              ? fmt::format("{:.4f}", *p.trial->value())
                              : std::string(tune::to_string(p.trial->state));
      std::string params;
      for (const auto& [name, v] : p.trial->params)
        params += (params.empty() ? "" : " ") + name + "=" + tune::to_string(v);
      options.log(
          fmt::format("{} round {}/{}  trial {}  value {}  best {}  joules {:.1f}  ETA {}  ({})",
                      planned.options.name, p.round, p.rounds, p.trial->number, value,
                      p.best ? fmt::format("{:.4f}", *p.best) : std::string("-"), p.joules,
                      duration_text(p.eta_seconds), params));
    });
    if (options.active_study) options.active_study->store(nullptr);
    summary.trials_run += static_cast<int>(finished.size());
  }

  if (options.write_report) {
    report::ReportOptions report_options;
    report_options.optimum_tolerance = config.tolerance;
    report_options.store_label = config.storage;
    auto files = report::write_report(*storage, config.report_dir, report_options);
    summary.report_html = files.html;
  }
  return summary;
}

}  // namespace greentune::experiment
