#include "greentune/store/legacy_trial.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>

#include "greentune/common/error.hpp"

namespace greentune::store {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The blob was written by greentune itself but read leniently: a key of an unexpected type is
// left in `attributes` rather than failing the whole migration.
std::optional<double> number_at(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::optional<std::string> text_at(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

const nlohmann::json* array_at(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? &*it : nullptr;
}

// A training record (nn::TrainResult::to_json): its epochs' cumulative time and energy by epoch.
std::map<int, std::pair<double, double>> cumulative_by_epoch(const nlohmann::json& run) {
  std::map<int, std::pair<double, double>> out;
  const auto* epochs = array_at(run, "epochs");
  if (!epochs) return out;
  double seconds = 0, joules = 0;
  int index = 0;
  for (const auto& e : *epochs) {
    ++index;
    if (!e.is_object()) continue;
    seconds += number_at(e, "train_seconds").value_or(0) + number_at(e, "eval_seconds").value_or(0);
    for (const char* phase : {"train_energy", "eval_energy"})
      if (e.contains(phase)) joules += number_at(e[phase], "joules").value_or(0);
    out[static_cast<int>(number_at(e, "epoch").value_or(index))] = {seconds, joules};
  }
  return out;
}

// Joules attributed per layer type over a run's epochs.
std::map<std::string, double> run_layer_joules(const nlohmann::json& run) {
  std::map<std::string, double> sums;
  if (const auto* epochs = array_at(run, "epochs"))
    for (const auto& e : *epochs)
      if (const auto* layers = array_at(e, "layers_attributed"))
        for (const auto& layer : *layers)
          if (auto type = text_at(layer, "layer_type"))
            sums[*type] += number_at(layer, "attributed_joules").value_or(0);
  return sums;
}

bool looks_like_training(const nlohmann::json& attrs) {
  for (const char* key : {"epochs", "repetitions", "test_accuracy", "test_accuracy_mean",
                          "parameter_count", "model_spec"})
    if (attrs.contains(key)) return true;
  return false;
}

tune::TrainingFigures training_from(const nlohmann::json& attrs) {
  tune::TrainingFigures t;
  const auto* reps = array_at(attrs, "repetitions");
  const nlohmann::json& first = reps && !reps->empty() ? reps->front() : attrs;
  t.model_spec = text_at(attrs, "model_spec").value_or(text_at(first, "model_spec").value_or(""));
  if (auto count = number_at(attrs, "parameter_count") ? number_at(attrs, "parameter_count")
                                                       : number_at(first, "parameter_count"))
    t.parameter_count = static_cast<int64_t>(*count);
  if (auto mean = number_at(attrs, "test_accuracy_mean"))
    t.test_accuracy = mean;
  else
    t.test_accuracy = number_at(attrs, "test_accuracy");
  if (!reps) {
    t.layer_joules = run_layer_joules(attrs);
    return t;
  }
  int profiled = 0;
  for (const auto& run : *reps) {
    tune::Repetition rep;
    rep.seed = static_cast<uint64_t>(number_at(run, "seed").value_or(0));
    rep.value = number_at(run, "best_validation_accuracy").value_or(kNaN);
    rep.test_accuracy = number_at(run, "test_accuracy");
    rep.seconds = number_at(run, "seconds").value_or(0);
    rep.joules = number_at(run, "joules").value_or(0);
    rep.diverged = run.is_object() && run.value("diverged", false);
    t.repetitions.push_back(rep);
    auto layers = run_layer_joules(run);
    if (layers.empty()) continue;
    ++profiled;
    for (const auto& [type, joules] : layers) t.layer_joules[type] += joules;
  }
  for (auto& [type, joules] : t.layer_joules) joules /= profiled;
  return t;
}

// Keys the typed record now holds; every other key of the blob stays in `attributes`.
constexpr const char* kTypedKeys[] = {"pid",
                                      "pid_ns",
                                      "error",
                                      "retry",
                                      "diverged",
                                      "diverged_reason",
                                      "test_accuracy",
                                      "test_accuracy_mean",
                                      "parameter_count",
                                      "model_spec",
                                      "values",
                                      "value_mean",
                                      "value_sd",
                                      "joules_per_run_mean",
                                      "joules_per_run_sd",
                                      "diverged_runs",
                                      "seed",
                                      "best_validation_accuracy",
                                      "seconds",
                                      "joules"};

}  // namespace

tune::Trial trial_from_legacy(const LegacyTrialRow& row, const std::string& where) {
  tune::Trial t;
  t.id = row.id;
  t.number = static_cast<int>(row.number + 1);
  t.state = tune::trial_state_from_string(row.state);
  auto values = nlohmann::json::parse(row.values_json, nullptr, false);
  auto params = nlohmann::json::parse(row.params_json, nullptr, false);
  if (!values.is_array())
    throw InputError(
        fmt::format("{}: values_json '{}' is not a JSON array", where, row.values_json));
  t.params = tune::params_from_json(params, where + ".params_json");
  if (row.value) {
    t.values.push_back(*row.value);
    for (const auto& v : values) t.values.push_back(v.is_number() ? v.get<double>() : kNaN);
  }
  t.seconds = row.seconds;
  t.joules = row.joules;
  t.energy = row.energy;
  t.host = row.host;
  t.started_at = row.started_at;
  t.finished_at = row.finished_at;
  t.heartbeat_at = row.heartbeat_at;

  auto attrs = nlohmann::json::parse(row.attrs_json, nullptr, false);
  if (!attrs.is_object()) {
    if (!row.attrs_json.empty() && row.attrs_json != "{}")
      t.attributes["v1_attrs_text"] = row.attrs_json;
    attrs = nlohmann::json::object();
  }
  if (auto pid = number_at(attrs, "pid")) t.pid = static_cast<int64_t>(*pid);
  t.pid_namespace = text_at(attrs, "pid_ns").value_or("");
  t.error = text_at(attrs, "error").value_or("");
  if (t.error.empty()) t.error = text_at(attrs, "diverged_reason").value_or("");
  t.retry = attrs.contains("retry") && attrs["retry"].is_boolean() && attrs["retry"].get<bool>();
  if (looks_like_training(attrs)) t.training = training_from(attrs);

  // The experiment reported the first repetition's epochs; the trainer its only run's.
  const auto* reps = array_at(attrs, "repetitions");
  auto cumulative = cumulative_by_epoch(reps && !reps->empty() ? reps->front() : attrs);
  for (const auto& [step, value] : row.intermediate) {
    tune::IntermediateReport report;
    report.step = step;
    report.values = {value.value_or(kNaN)};
    auto it = cumulative.find(step);
    report.seconds = it != cumulative.end() ? it->second.first : kNaN;
    report.joules = it != cumulative.end() ? it->second.second : kNaN;
    t.intermediate.push_back(std::move(report));
  }

  for (const auto& [key, value] : attrs.items()) {
    bool typed = false;
    for (const char* known : kTypedKeys) typed = typed || key == known;
    if (!typed) t.attributes[key] = value;
  }
  return t;
}

}  // namespace greentune::store
