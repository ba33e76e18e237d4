#include "greentune/report/attrs.hpp"

#include <fmt/format.h>

namespace greentune::report {
namespace {

double number_or(const nlohmann::json& object, const char* key, double fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string text_or(const nlohmann::json& object, const char* key, const std::string& fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// One Monitor window as JSON: {"domains": [{"name"|"domain"|"info": {...}, "joules", "kind",
// "source"}, ...]} or {"domains": {"package-0": joules}}.
void add_window(const nlohmann::json& window, const std::string& phase, EpochEnergy& epoch) {
  if (!window.is_object()) return;
  auto domains = window.find("domains");
  if (domains == window.end()) {
    double total = number_or(window, "total_joules", number_or(window, "joules", -1));
    if (total >= 0) epoch.parts.push_back({phase, "total", "", "", total});
    return;
  }
  if (domains->is_object()) {
    for (const auto& [name, value] : domains->items())
      if (value.is_number()) epoch.parts.push_back({phase, name, "", "", value.get<double>()});
    return;
  }
  if (!domains->is_array()) return;
  for (const auto& d : *domains) {
    if (!d.is_object()) continue;
    const nlohmann::json& info = d.contains("info") && d["info"].is_object() ? d["info"] : d;
    PhaseEnergy part;
    part.phase = phase;
    part.domain = text_or(info, "name", text_or(info, "domain", "?"));
    part.kind = text_or(info, "kind", text_or(d, "kind", ""));
    part.source = text_or(info, "source", text_or(d, "source", ""));
    part.joules = number_or(d, "joules", 0);
    epoch.parts.push_back(std::move(part));
  }
}

std::vector<EpochEnergy> run_epochs(const nlohmann::json& run) {
  std::vector<EpochEnergy> out;
  if (!run.is_object() || !run.contains("epochs") || !run["epochs"].is_array()) return out;
  int index = 0;
  for (const auto& e : run["epochs"]) {
    ++index;
    if (!e.is_object()) continue;
    EpochEnergy epoch;
    epoch.epoch = static_cast<int>(number_or(e, "epoch", index));
    for (const char* phase : {"train", "eval"}) {
      for (const std::string& key : {std::string(phase) + "_energy", std::string(phase)})
        if (e.contains(key)) {
          add_window(e[key], phase, epoch);
          break;
        }
    }
    if (e.contains("phases") && e["phases"].is_array())
      for (const auto& p : e["phases"]) add_window(p, text_or(p, "phase", "?"), epoch);
    if (!epoch.parts.empty()) out.push_back(std::move(epoch));
  }
  return out;
}

void add_layers(const nlohmann::json& run, std::map<std::string, double>& sums) {
  if (!run.is_object()) return;
  if (run.contains("layer_joules") && run["layer_joules"].is_object()) {
    for (const auto& [type, value] : run["layer_joules"].items())
      if (value.is_number()) sums[type] += value.get<double>();
    return;
  }
  if (!run.contains("epochs") || !run["epochs"].is_array()) return;
  for (const auto& e : run["epochs"]) {
    if (!e.is_object()) continue;
    // nn::TrainResult::to_json writes "layers_attributed" with "attributed_joules".
    for (const char* key : {"layers_attributed", "layers"}) {
      if (!e.contains(key) || !e[key].is_array()) continue;
      for (const auto& layer : e[key]) {
        std::string type = text_or(layer, "layer_type", text_or(layer, "type", ""));
        if (!type.empty())
          sums[type] += number_or(layer, "attributed_joules", number_or(layer, "joules", 0));
      }
      break;
    }
  }
}

}  // namespace

std::vector<std::vector<EpochEnergy>> epoch_energy(const nlohmann::json& attrs) {
  std::vector<std::vector<EpochEnergy>> runs;
  if (!attrs.is_object()) return runs;
  if (auto epochs = run_epochs(attrs); !epochs.empty()) runs.push_back(std::move(epochs));
  if (attrs.contains("repetitions") && attrs["repetitions"].is_array())
    for (const auto& rep : attrs["repetitions"])
      if (auto epochs = run_epochs(rep); !epochs.empty()) runs.push_back(std::move(epochs));
  return runs;
}

std::map<std::string, double> layer_joules(const nlohmann::json& attrs) {
  std::map<std::string, double> sums;
  if (!attrs.is_object()) return sums;
  add_layers(attrs, sums);
  if (!sums.empty()) return sums;
  int reps = 0;
  if (attrs.contains("repetitions") && attrs["repetitions"].is_array())
    for (const auto& rep : attrs["repetitions"]) {
      std::map<std::string, double> one;
      add_layers(rep, one);
      if (one.empty()) continue;
      ++reps;
      for (const auto& [type, joules] : one) sums[type] += joules;
    }
  for (auto& [type, joules] : sums) joules /= reps > 0 ? reps : 1;
  return sums;
}

std::vector<std::pair<std::string, std::string>> machine_fields(const nlohmann::json& object) {
  std::vector<std::pair<std::string, std::string>> fields;
  if (!object.is_object() || !object.contains("machine") || !object["machine"].is_object())
    return fields;
  for (const auto& [key, value] : object["machine"].items()) {
    std::string text;
    if (value.is_string())
      text = value.get<std::string>();
    else if (value.is_number_integer())
      text = std::to_string(value.get<int64_t>());
    else if (value.is_number())
      text = fmt::format("{:g}", value.get<double>());
    else if (value.is_boolean())
      text = value.get<bool>() ? "yes" : "no";
    else if (!value.is_null())
      text = value.dump();
    fields.emplace_back(key, text);
  }
  return fields;
}

}  // namespace greentune::report
