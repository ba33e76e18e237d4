#include "greentune/tune/pruner_config.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/asha_pruner.hpp"
#include "greentune/tune/hyperband_pruner.hpp"
#include "greentune/tune/median_pruner.hpp"

namespace greentune::tune {

namespace {

constexpr int64_t kMaxSteps = kMaxPrunerSteps;

// "study.toml:12: pruner.min_step", or without the line when the node has none.
std::string where(const std::string& source, const toml::node& node, const std::string& key) {
  const auto line = node.source().begin.line;
  if (line > 0) return fmt::format("{}:{}: {}", source, line, key);
  return fmt::format("{}: {}", source, key);
}

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    default:
      return "a date or time";
  }
}

int integer_in(const toml::table& table, const char* key, const std::string& source, int64_t low,
               int64_t high, int fallback) {
  const auto* node = table.get(key);
  if (node == nullptr) return fallback;
  const std::string full = std::string("pruner.") + key;
  const auto value = node->value_exact<int64_t>();
  if (!value)
    throw InputError(fmt::format("{}: expected an integer, got {}", where(source, *node, full),
                                 type_name(*node)));
  if (*value < low || *value > high)
    throw InputError(fmt::format("{}: expected an integer from {} to {}, got {}",
                                 where(source, *node, full), low, high, *value));
  return static_cast<int>(*value);
}

double positive_joules(const toml::table& study, const char* key, const std::string& source) {
  const auto* node = study.get(key);
  if (node == nullptr) return 0;
  const std::string full = std::string("study.") + key;
  double value = 0;
  if (auto d = node->value_exact<double>())
    value = *d;
  else if (auto i = node->value_exact<int64_t>())
    value = static_cast<double>(*i);
  else
    throw InputError(fmt::format("{}: expected a number of joules, got {}",
                                 where(source, *node, full), type_name(*node)));
  if (!std::isfinite(value) || value <= 0)
    throw InputError(fmt::format("{}: expected a number of joules > 0, got {}",
                                 where(source, *node, full), value));
  return value;
}

}  // namespace

const char* to_string(PrunerKind kind) {
  switch (kind) {
    case PrunerKind::median:
      return "median";
    case PrunerKind::asha:
      return "asha";
    case PrunerKind::hyperband:
      return "hyperband";
    case PrunerKind::none:
      break;
  }
  return "none";
}

int default_reduction(PrunerKind kind) {
  return kind == PrunerKind::asha ? 2 : 3;
}

PrunerKind pruner_kind_from_string(const std::string& text) {
  for (auto kind : {PrunerKind::none, PrunerKind::median, PrunerKind::asha, PrunerKind::hyperband})
    if (text == to_string(kind)) return kind;
  throw InputError(
      fmt::format("pruner kind \"{}\": expected none, median, asha or hyperband", text));
}

PrunerConfig parse_pruner_table(const toml::table& pruner, const std::string& source) {
  static const char* const allowed[] = {"kind",      "min_step",      "max_step",
                                        "reduction", "warmup_trials", "min_peers"};
  for (auto&& [key, node] : pruner) {
    bool known = false;
    for (const char* a : allowed) known = known || key.str() == a;
    if (!known) {
      const auto line = key.source().begin.line;
      throw InputError(fmt::format(
          "{}{}: pruner.{}: unknown key (expected one of: kind, min_step, max_step, reduction, "
          "min_peers, warmup_trials)",
          source, line > 0 ? fmt::format(":{}", line) : "", key.str()));
    }
  }
  PrunerConfig config;
  const auto* kind = pruner.get("kind");
  if (kind == nullptr)
    throw InputError(
        fmt::format("{}: pruner.kind: missing (expected none, median, asha or "
                    "hyperband)",
                    where(source, pruner, "[pruner]")));
  const auto text = kind->value_exact<std::string>();
  if (!text)
    throw InputError(fmt::format("{}: expected a string (none, median, asha or hyperband), got {}",
                                 where(source, *kind, "pruner.kind"), type_name(*kind)));
  try {
    config.kind = pruner_kind_from_string(*text);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", where(source, *kind, "pruner.kind"), e.what()));
  }
  config.reduction = default_reduction(config.kind);
  config.min_step = integer_in(pruner, "min_step", source, 1, kMaxSteps, config.min_step);
  config.max_step = integer_in(pruner, "max_step", source, 1, kMaxSteps, config.max_step);
  config.reduction = integer_in(pruner, "reduction", source, 2, 100, config.reduction);
  config.warmup_trials =
      integer_in(pruner, "warmup_trials", source, 0, 1000000, config.warmup_trials);
  config.min_peers =
      integer_in(pruner, "min_peers", source, 0, AshaPruner::kMaxMinPeers, config.min_peers);
  if (const auto* max = pruner.get("max_step");
      max != nullptr && config.max_step <= config.min_step)
    throw InputError(fmt::format(
        "{}: expected max_step > min_step (nothing can be stopped before the full length), got "
        "max_step = {} and min_step = {}",
        where(source, *max, "pruner.max_step"), config.max_step, config.min_step));
  return config;
}

PrunerConfig parse_pruner_table(const toml::table& pruner, const std::filesystem::path& file) {
  return parse_pruner_table(pruner, file.string());
}

EnergyBudget parse_energy_budget(const toml::table& study, const std::string& source) {
  EnergyBudget budget;
  budget.max_joules = positive_joules(study, "max_joules", source);
  budget.max_trial_joules = positive_joules(study, "max_trial_joules", source);
  return budget;
}

void validate_pruner_config(const PrunerConfig& config, const std::string& source) {
  if (config.min_step < 1 || config.min_step > kMaxSteps)
    throw InputError(fmt::format("{}: pruner.min_step: expected an integer from 1 to {}, got {}",
                                 source, kMaxSteps, config.min_step));
  if (config.max_step < 0 || config.max_step > kMaxSteps)
    throw InputError(fmt::format("{}: pruner.max_step: expected an integer from 1 to {}, got {}",
                                 source, kMaxSteps, config.max_step));
  if (config.max_step > 0 && config.max_step <= config.min_step)
    throw InputError(fmt::format(
        "{}: pruner.max_step: expected max_step > min_step, got max_step = {} and min_step = {}",
        source, config.max_step, config.min_step));
  if (config.reduction < 2 || config.reduction > 100)
    throw InputError(fmt::format("{}: pruner.reduction: expected an integer from 2 to 100, got {}",
                                 source, config.reduction));
  if (config.warmup_trials < 0)
    throw InputError(fmt::format("{}: pruner.warmup_trials: expected an integer >= 0, got {}",
                                 source, config.warmup_trials));
  if (config.min_peers < 0 || config.min_peers > AshaPruner::kMaxMinPeers)
    throw InputError(fmt::format("{}: pruner.min_peers: expected an integer from 0 to {}, got {}",
                                 source, AshaPruner::kMaxMinPeers, config.min_peers));
  if (config.kind == PrunerKind::hyperband && config.max_step == 0)
    throw InputError(fmt::format(
        "{}: pruner.max_step: hyperband needs the full length in steps (give pruner.max_step, or "
        "train.epochs for the train objective)",
        source));
}

std::unique_ptr<Pruner> make_pruner(const PrunerConfig& config) {
  validate_pruner_config(config, "pruner");
  switch (config.kind) {
    case PrunerKind::median:
      return std::make_unique<MedianPruner>(config.min_step, config.max_step, config.warmup_trials);
    case PrunerKind::asha:
      return std::make_unique<AshaPruner>(config.min_step, config.max_step, config.reduction,
                                          config.min_peers);
    case PrunerKind::hyperband:
      return std::make_unique<HyperbandPruner>(config.min_step, config.max_step, config.reduction,
                                               config.min_peers);
    case PrunerKind::none:
      break;
  }
  return std::make_unique<NonePruner>();
}

nlohmann::json pruner_config_to_json(const PrunerConfig& config) {
  return {{"kind", to_string(config.kind)},        {"min_step", config.min_step},
          {"max_step", config.max_step},           {"reduction", config.reduction},
          {"warmup_trials", config.warmup_trials}, {"min_peers", config.min_peers}};
}

PrunerConfig pruner_config_from_json(const nlohmann::json& json) {
  PrunerConfig config;
  try {
    config.kind = pruner_kind_from_string(json.at("kind").get<std::string>());
    config.reduction = default_reduction(config.kind);
    config.min_step = json.value("min_step", config.min_step);
    config.max_step = json.value("max_step", config.max_step);
    config.reduction = json.value("reduction", config.reduction);
    config.warmup_trials = json.value("warmup_trials", config.warmup_trials);
    config.min_peers = json.value("min_peers", config.min_peers);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("pruner JSON {}: {}", json.dump(), e.what()));
  }
  validate_pruner_config(config, "pruner JSON");
  return config;
}

}  // namespace greentune::tune
