// Reading an experiment config (experiment.hpp): [experiment], [carbon], [space], [sampler],
// [train] and [sweep], each key checked, one study config per strategy x model x dataset x seed.
#include <fmt/format.h>

#include <toml++/toml.h>
#include <limits>
#include <set>

#include "greentune/common/error.hpp"
#include "greentune/experiment/experiment.hpp"
#include "greentune/nn/train_objective.hpp"
#include "greentune/tune/names.hpp"
#include "greentune/tune/study.hpp"

namespace greentune::experiment {
namespace {

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

// The default maximum keeps the value an int (counts were cast, and 2^32 + 1 rounds became 1).
int64_t integer_of(const toml::node& node, const std::string& source, const std::string& key,
                   int64_t min, int64_t max = std::numeric_limits<int>::max()) {
  auto v = node.value<int64_t>();
  if (!v || !node.is_integer()) bad(source, key, "expected an integer");
  if (*v < min || *v > max)
    bad(source, key, fmt::format("expected {} to {}, got {}", min, max, *v));
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

std::vector<uint64_t> seeds_of(const toml::node& node, const std::string& source) {
  const auto* array = node.as_array();
  if (!array || array->empty())
    bad(source, "experiment.seeds", "expected a non-empty array of integers >= 0");
  std::vector<uint64_t> seeds;
  std::set<uint64_t> seen;
  for (const auto& item : *array) {
    auto seed = static_cast<uint64_t>(
        integer_of(item, source, "experiment.seeds", 0, std::numeric_limits<int64_t>::max()));
    if (!seen.insert(seed).second)
      bad(source, "experiment.seeds", fmt::format("seed {} is given twice", seed));
    seeds.push_back(seed);
  }
  return seeds;
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
  check_keys(root, source, "",
             {"experiment", "carbon", "sampler", "space", "train", "sweep", "pruner"});
  const auto* exp = root.get_as<toml::table>("experiment");
  if (!exp) throw InputError(source + ": missing [experiment] table (name, storage, strategies)");
  check_keys(*exp, source, "experiment.",
             {"name", "storage", "strategies", "models", "datasets", "rounds", "repetitions",
              "seed", "seeds", "tolerance", "report"});
  ExperimentConfig config;
  if (const auto* n = exp->get("name")) config.name = text_of(*n, source, "experiment.name");
  if (config.name.empty() || config.name.find('/') != std::string::npos)
    bad(source, "experiment.name", "expected a non-empty name without '/'");
  tune::check_name(config.name, source + ": experiment.name");  // it names studies and folders
  if (const auto* n = exp->get("storage"))
    config.storage = text_of(*n, source, "experiment.storage");
  if (const auto* n = exp->get("strategies"))
    config.strategies = strings_of(*n, source, "experiment.strategies");
  if (const auto* n = exp->get("models"))
    config.models = strings_of(*n, source, "experiment.models");
  if (const auto* n = exp->get("datasets"))
    config.datasets = strings_of(*n, source, "experiment.datasets");
  if (const auto* n = exp->get("rounds"))
    config.rounds =
        static_cast<int>(integer_of(*n, source, "experiment.rounds", 1, tune::kMaxRounds));
  if (const auto* n = exp->get("repetitions"))
    config.repetitions = static_cast<int>(integer_of(*n, source, "experiment.repetitions", 1));
  if (const auto* n = exp->get("seed"))
    config.seed = static_cast<uint64_t>(
        integer_of(*n, source, "experiment.seed", 0, std::numeric_limits<int64_t>::max()));
  if (const auto* n = exp->get("seeds")) {
    if (exp->get("seed")) bad(source, "experiment.seeds", "give either seed or seeds, not both");
    config.seeds = seeds_of(*n, source);
  }
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
  // Without `seeds`, one study per strategy named as before seeds existed, so older stores go on.
  const std::vector<std::optional<uint64_t>> study_seeds =
      config.seeds.empty()
          ? std::vector<std::optional<uint64_t>>{std::nullopt}
          : std::vector<std::optional<uint64_t>>(config.seeds.begin(), config.seeds.end());
  for (const auto& strategy : tunes ? config.strategies : std::vector<std::string>{})
    for (const auto& model : models)
      for (const auto& dataset : datasets)
        for (const auto& seed : study_seeds) {
          toml::table study_table;
          std::string name = config.name + "/" + strategy;
          if (several) name += "/" + model + "/" + dataset;
          if (seed) name += fmt::format("/seed-{}", *seed);
          study_table.insert("study",
                             toml::table{{"name", name},
                                         {"storage", config.storage},
                                         {"strategy", strategy},
                                         {"objective", "train"},
                                         {"rounds", config.rounds},
                                         {"seed", static_cast<int64_t>(seed.value_or(config.seed))},
                                         {"tolerance", config.tolerance}});
          if (const auto* n = root.get("space")) study_table.insert("space", *n);
          if (const auto* n = root.get("sampler")) study_table.insert("sampler", *n);
          if (const auto* n = root.get("pruner")) study_table.insert("pruner", *n);
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

}  // namespace greentune::experiment
