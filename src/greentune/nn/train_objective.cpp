#include "greentune/nn/train_objective.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "greentune/common/error.hpp"
#include "greentune/data/load.hpp"
#include "greentune/measured/trial_energy.hpp"
#include "greentune/tune/metrics.hpp"

namespace greentune::nn {
namespace {

// gpu_power_limit_w is set around the trial (measured/power_limited_objective.hpp), not here.
const char* const kHyperparameters[] = {
    "lr",       "beta1",      "beta2",  "eps",       "weight_decay",
    "momentum", "batch_size", "epochs", "optimizer", "gpu_power_limit_w"};

double number(const nlohmann::json& value, const std::string& source, const std::string& key) {
  if (!value.is_number()) {
    throw InputError(
        fmt::format("{}: train.{}: expected a number, got {}", source, key, value.dump()));
  }
  return value.get<double>();
}

// The same ranges as the train command's flags (--threads, --subset, ...).
int64_t integer(const nlohmann::json& value, const std::string& source, const std::string& key,
                int64_t min, int64_t max = std::numeric_limits<int>::max()) {
  if (!value.is_number_integer()) {
    throw InputError(
        fmt::format("{}: train.{}: expected an integer, got {}", source, key, value.dump()));
  }
  int64_t v = value.get<int64_t>();
  if (v < min || v > max) {
    throw InputError(
        fmt::format("{}: train.{}: expected {} to {}, got {}", source, key, min, max, v));
  }
  return v;
}

std::string text(const nlohmann::json& value, const std::string& source, const std::string& key) {
  if (!value.is_string()) {
    throw InputError(
        fmt::format("{}: train.{}: expected a string, got {}", source, key, value.dump()));
  }
  return value.get<std::string>();
}

bool boolean(const nlohmann::json& value, const std::string& source, const std::string& key) {
  if (!value.is_boolean()) {
    throw InputError(
        fmt::format("{}: train.{}: expected true or false, got {}", source, key, value.dump()));
  }
  return value.get<bool>();
}

int64_t as_integer(const tune::ParamValue& value, const std::string& name) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return static_cast<int64_t>(std::llround(*d));
  throw InputError(
      fmt::format("parameter {} = \"{}\": expected a number", name, std::get<std::string>(value)));
}

std::vector<std::string> metric_list(const nlohmann::json& value, const std::string& source) {
  const auto& known = tune::train_metrics();
  std::vector<std::string> metrics;
  if (value.is_array() && !value.empty() && value.size() <= 4)
    for (const auto& m : value) {
      if (!m.is_string() || std::find(known.begin(), known.end(), m) == known.end() ||
          std::find(metrics.begin(), metrics.end(), m) != metrics.end())
        break;
      metrics.push_back(m.get<std::string>());
    }
  if (metrics.empty() || metrics.size() != value.size())
    throw InputError(fmt::format(
        "{}: train.metrics: expected 1 to 4 different names of accuracy, joules, seconds and "
        "parameters, got {}",
        source, value.dump()));
  return metrics;
}

// The run's value of one metric (tune/metrics.hpp).
double metric_of(const std::string& metric, const TrainResult& trained, double joules) {
  if (metric == "joules") return joules;
  if (metric == "seconds") return trained.seconds;
  if (metric == "parameters") return static_cast<double>(trained.parameter_count);
  return trained.best_validation_accuracy;
}

}  // namespace

TrainObjectiveSettings parse_train_settings(const nlohmann::json& table,
                                            const std::string& source) {
  TrainObjectiveSettings s;
  s.train.profile_layers = false;  // a study wants the accuracy and the joules, not layer shares
  if (!table.is_object()) throw InputError(fmt::format("{}: [train] must be a table", source));
  auto& hp = s.train.hp;
  for (const auto& [key, value] : table.items()) {
    if (key == "model") {
      s.train.model_spec = text(value, source, key);
    } else if (key == "dataset") {
      s.dataset = text(value, source, key);
    } else if (key == "data_dir") {
      s.data_dir = text(value, source, key);
    } else if (key == "validation") {
      s.validation = number(value, source, key);
      if (!(s.validation > 0 && s.validation < 1)) {
        throw InputError(fmt::format("{}: train.validation: expected a fraction in (0, 1), got {}",
                                     source, s.validation));
      }
    } else if (key == "paper_mode") {
      s.paper_mode = boolean(value, source, key);
    } else if (key == "subset") {
      s.subset = integer(value, source, key, 1, std::numeric_limits<int64_t>::max());
    } else if (key == "test_subset") {
      s.test_subset = integer(value, source, key, 1, std::numeric_limits<int64_t>::max());
    } else if (key == "device") {
      s.train.device = text(value, source, key);
    } else if (key == "threads") {
      s.train.threads = static_cast<int>(integer(value, source, key, 0, kMaxThreads));
    } else if (key == "profile_layers") {
      s.train.profile_layers = boolean(value, source, key);
    } else if (key == "seed") {
      hp.seed = static_cast<uint64_t>(
          integer(value, source, key, 0, std::numeric_limits<int64_t>::max()));
    } else if (key == "epochs") {
      hp.epochs = static_cast<int>(integer(value, source, key, 1));
    } else if (key == "batch_size") {
      hp.batch_size = static_cast<int>(integer(value, source, key, 1));
    } else if (key == "optimizer") {
      hp.optimizer = text(value, source, key);
    } else if (key == "lr") {
      hp.lr = number(value, source, key);
    } else if (key == "beta1") {
      hp.beta1 = number(value, source, key);
    } else if (key == "beta2") {
      hp.beta2 = number(value, source, key);
    } else if (key == "eps") {
      hp.eps = number(value, source, key);
    } else if (key == "weight_decay") {
      hp.weight_decay = number(value, source, key);
    } else if (key == "momentum") {
      hp.momentum = number(value, source, key);
    } else if (key == "metrics") {
      s.metrics = metric_list(value, source);
    } else {
      throw InputError(fmt::format(
          "{}: unknown key train.{}; expected model, dataset, data_dir, validation, paper_mode, "
          "subset, test_subset, device, threads, profile_layers, seed, epochs, batch_size, "
          "optimizer, lr, beta1, beta2, eps, weight_decay, momentum or metrics",
          source, key));
    }
  }
  return s;
}

void check_train_space(const tune::SearchSpace& space, const std::string& source) {
  for (const auto& p : space.params) {
    bool known = false;
    for (const char* name : kHyperparameters) known = known || p.name == name;
    if (!known) {
      throw InputError(fmt::format(
          "{}: space.{}: the train objective has no such hyperparameter; expected lr, beta1, "
          "beta2, eps, weight_decay, momentum, batch_size, epochs, optimizer or "
          "gpu_power_limit_w",
          source, p.name));
    }
  }
}

Hyperparameters hyperparameters_for(const Hyperparameters& defaults, const tune::Params& params) {
  Hyperparameters hp = defaults;
  for (const auto& [name, value] : params) {
    if (name == "optimizer") {
      hp.optimizer = tune::to_string(value);
    } else if (name == "batch_size") {
      hp.batch_size = static_cast<int>(as_integer(value, name));
    } else if (name == "epochs") {
      hp.epochs = static_cast<int>(as_integer(value, name));
    } else {
      double v = tune::as_double(params, name);
      if (name == "lr") hp.lr = v;
      if (name == "beta1") hp.beta1 = v;
      if (name == "beta2") hp.beta2 = v;
      if (name == "eps") hp.eps = v;
      if (name == "weight_decay") hp.weight_decay = v;
      if (name == "momentum") hp.momentum = v;
    }
  }
  return hp;
}

data::LoadOptions TrainObjectiveSettings::load_options() const {
  data::LoadOptions load;
  load.data_dir = data_dir;
  load.validation_fraction = validation;
  load.paper_mode = paper_mode;
  load.seed = train.hp.seed;
  load.train_subset = static_cast<size_t>(subset);
  load.test_subset = static_cast<size_t>(test_subset);
  return load;
}

tune::IntermediateReport metrics_report(const tune::IntermediateReport& report,
                                        const EpochRecord& epoch,
                                        const std::vector<std::string>& metrics) {
  tune::IntermediateReport out = report;
  out.values.clear();
  for (const auto& metric : metrics) {
    if (metric == "joules")
      out.values.push_back(report.joules);
    else if (metric == "seconds")
      out.values.push_back(report.seconds);
    else if (metric == "parameters")
      out.values.push_back(std::numeric_limits<double>::quiet_NaN());
    else
      out.values.push_back(epoch.validation_accuracy);
  }
  return out;
}

tune::IntermediateReport epoch_report(const EpochRecord& epoch,
                                      const tune::IntermediateReport& previous) {
  tune::IntermediateReport report;
  report.step = epoch.epoch;
  report.values = {epoch.validation_accuracy};
  report.seconds = previous.seconds + epoch.train_seconds + epoch.eval_seconds;
  report.joules =
      previous.joules + epoch.train_energy.total_joules + epoch.eval_energy.total_joules;
  return report;
}

double add_run_energy(const TrainResult& trained, std::vector<tune::DomainEnergy>& energy) {
  double total = 0;
  for (const auto& epoch : trained.epochs)
    for (const auto* window : {&epoch.train_energy, &epoch.eval_energy}) {
      total += window->total_joules;
      measured::add_energy(energy, *window);
    }
  return total;
}

tune::TrainingFigures training_figures(const TrainResult& trained) {
  tune::TrainingFigures figures;
  figures.model_spec = trained.model_spec;
  figures.parameter_count = trained.parameter_count;
  if (!trained.epochs.empty()) figures.validation_accuracy = trained.best_validation_accuracy;
  if (std::isfinite(trained.test_accuracy)) figures.test_accuracy = trained.test_accuracy;
  for (const auto& epoch : trained.epochs)
    for (const auto& layer : epoch.layers) figures.layer_joules[layer.layer_type] += layer.joules;
  return figures;
}

tune::Objective make_train_objective(const TrainObjectiveSettings& settings,
                                     const tune::SearchSpace& space, energy::Monitor* monitor) {
  check_train_space(space, "the study's space");
  if (monitor == nullptr && std::find(settings.metrics.begin(), settings.metrics.end(), "joules") !=
                                settings.metrics.end())
    throw InputError(
        "train.metrics names joules, greentune's own measurement of each trial, but no energy "
        "source is open (--no-energy, or none usable: see `greentune meters`)");
  // Shared by every trial's copy of the objective: loading once is the point.
  auto split = std::make_shared<const data::Split>(
      data::load_split(settings.dataset, settings.load_options()));
  return make_train_objective(settings, std::move(split), monitor);
}

tune::Objective make_train_objective(const TrainObjectiveSettings& settings,
                                     std::shared_ptr<const data::Split> split,
                                     energy::Monitor* monitor) {
  return [settings, split, monitor](const tune::Params& params, tune::TrialContext& context) {
    TrainOptions options = settings.train;
    options.hp = hyperparameters_for(settings.train.hp, params);
    measured::TrialWindow window(monitor, context, "trial-" + std::to_string(context.number()));
    tune::IntermediateReport last;
    bool told_to_stop = false;
    TrainResult trained = train(options, *split, monitor, [&](const EpochRecord& epoch) {
      last = epoch_report(epoch, last);
      context.report(metrics_report(last, epoch, settings.metrics));
      told_to_stop = context.should_prune();
      return !told_to_stop;
    });
    window.close();

    tune::ObjectiveResult result;
    result.seconds = trained.seconds;
    if (trained.diverged) {
      result.state = tune::TrialState::diverged;
    } else if (told_to_stop) {
      // Stopped on the study's word: no value (the reports are its curve); the study stores it
      // as pruned or, for an energy budget, failed.
      result.state = tune::TrialState::pruned;
      result.error =
          fmt::format("stopped after epoch {} of {}", trained.epochs.size(), options.hp.epochs);
    } else {
      result.state = tune::TrialState::complete;
    }
    if (trained.diverged) result.error = trained.diverged_reason;
    // Joules per domain over the training and evaluation windows of every epoch.
    result.joules = add_run_energy(trained, result.energy);
    if (result.state == tune::TrialState::complete)
      for (const auto& metric : settings.metrics)
        result.values.push_back(metric_of(metric, trained, result.joules));
    result.training = training_figures(trained);
    if (told_to_stop) result.training->test_accuracy.reset();  // the test set was not run
    return result;
  };
}

}  // namespace greentune::nn
