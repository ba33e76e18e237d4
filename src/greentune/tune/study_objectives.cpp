#include "greentune/tune/study_objectives.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/metrics.hpp"

namespace greentune::tune {
namespace {

// "study.toml:12: study.direction", as the rest of the config parser names keys.
std::string where(const std::string& source, const toml::node& node, const std::string& key) {
  const auto line = node.source().begin.line;
  return line > 0 ? fmt::format("{}:{}: {}", source, line, key)
                  : fmt::format("{}: {}", source, key);
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string direction_text(Direction d) {
  return d == Direction::maximize ? "maximize" : "minimize";
}

Direction direction_named(const std::string& text, const std::string& at) {
  if (text == "maximize") return Direction::maximize;
  if (text == "minimize") return Direction::minimize;
  throw InputError(fmt::format("{}: expected \"maximize\" or \"minimize\", got \"{}\"", at, text));
}

std::vector<std::string> parse_metrics(const toml::node& node, const std::string& source) {
  const auto* array = node.as_array();
  const std::string key = "train.metrics";
  if (array == nullptr || array->empty() || array->size() > 4)
    throw InputError(fmt::format(
        "{}: expected a list of 1 to 4 metric names (accuracy, joules, seconds, parameters)",
        where(source, node, key)));
  std::vector<std::string> metrics;
  for (const auto& item : *array) {
    const auto name = item.value_exact<std::string>();
    const auto& known = train_metrics();
    if (!name || std::find(known.begin(), known.end(), *name) == known.end())
      throw InputError(fmt::format(
          "{}: unknown metric {}; the train objective offers {}", where(source, item, key),
          name ? "\"" + *name + "\"" : std::string("(not a string)"), joined(known)));
    if (std::find(metrics.begin(), metrics.end(), *name) != metrics.end())
      throw InputError(
          fmt::format("{}: metric \"{}\" is listed twice", where(source, item, key), *name));
    metrics.push_back(*name);
  }
  return metrics;
}

std::vector<Direction> parse_directions(const toml::node& node, size_t metrics,
                                        const std::string& source) {
  const std::string key = "study.direction";
  std::vector<Direction> directions;
  if (auto single = node.value_exact<std::string>()) {
    directions.push_back(direction_named(*single, where(source, node, key)));
  } else if (const auto* array = node.as_array()) {
    for (size_t i = 0; i < array->size(); ++i) {
      const auto& item = *array->get(i);
      const auto text = item.value_exact<std::string>();
      const auto at = where(source, item, fmt::format("{}[{}]", key, i));
      if (!text) throw InputError(fmt::format("{}: expected \"maximize\" or \"minimize\"", at));
      directions.push_back(direction_named(*text, at));
    }
  } else {
    throw InputError(fmt::format("{}: expected \"maximize\", \"minimize\" or a list of them",
                                 where(source, node, key)));
  }
  if (directions.size() != metrics)
    throw InputError(fmt::format("{}: {} direction(s) for {} metric(s); give one per metric",
                                 where(source, node, key), directions.size(), metrics));
  return directions;
}

// What a constraint may bound: the study's metrics, greentune's measurement, and what the
// train objective records.
std::vector<std::string> constrainable(const std::vector<std::string>& metrics,
                                       const std::string& objective) {
  std::vector<std::string> names = metrics;
  std::vector<std::string> more = {"joules", "seconds"};
  if (objective == "train") more = train_metrics();
  for (const auto& m : more)
    if (std::find(names.begin(), names.end(), m) == names.end()) names.push_back(m);
  return names;
}

}  // namespace

void bind_constraint(OutcomeConstraint& constraint, const std::vector<std::string>& metrics) {
  const auto it = std::find(metrics.begin(), metrics.end(), constraint.quantity);
  constraint.objective = it == metrics.end() ? -1 : static_cast<int>(it - metrics.begin());
  constraint.scale = metric_scale(constraint.quantity);
  // A log-scale quantity bounded at or below 0 cannot be modelled on that scale; nothing
  // measured can be negative anyway, so model it as it is.
  if (constraint.scale == ValueScale::log && constraint.bound <= 0)
    constraint.scale = ValueScale::linear;
}

StudyObjectives parse_objectives(const toml::table& root, const std::string& objective,
                                 const std::string& source) {
  StudyObjectives out;
  out.metrics = default_metrics(objective);
  if (objective == "train")
    if (const auto* train = root.get("train"); train && train->as_table())
      if (const auto* node = train->as_table()->get("metrics"))
        out.metrics = parse_metrics(*node, source);
  // The command objective's metrics are the keys its program reports (plus greentune's joules and
  // seconds); the [command] table itself is checked by the command room.
  if (objective == "command")
    if (const auto* command = root.get("command"); command && command->as_table()) {
      const auto& table = *command->as_table();
      if (const auto* many = table.get("metrics"); many && many->as_array()) {
        std::vector<std::string> names;
        for (const auto& item : *many->as_array())
          if (auto name = item.value_exact<std::string>()) names.push_back(*name);
        if (!names.empty()) out.metrics = names;
      } else if (const auto* one = table.get("metric")) {
        if (auto name = one->value_exact<std::string>()) out.metrics = {*name};
      }
    }

  const auto* study = root.get("study") ? root.get("study")->as_table() : nullptr;
  const toml::node* direction = study ? study->get("direction") : nullptr;
  if (direction) {
    out.directions = parse_directions(*direction, out.metrics.size(), source);
  } else {
    for (const auto& m : out.metrics)
      out.directions.push_back(objective == "command" ? command_direction(m)
                                                      : natural_direction(m));
  }

  if (const toml::node* node = study ? study->get("reference_point") : nullptr) {
    const auto* array = node->as_array();
    const std::string key = "study.reference_point";
    if (array == nullptr || array->size() != out.metrics.size())
      throw InputError(fmt::format("{}: expected a list of {} numbers, one per metric ({})",
                                   where(source, *node, key), out.metrics.size(),
                                   joined(out.metrics)));
    for (size_t i = 0; i < array->size(); ++i) {
      const auto& item = *array->get(i);
      std::optional<double> v = item.value_exact<double>();
      if (!v)
        if (auto integer = item.value_exact<int64_t>()) v = static_cast<double>(*integer);
      if (!v || !std::isfinite(*v) || (metric_scale(out.metrics[i]) == ValueScale::log && *v <= 0))
        throw InputError(fmt::format("{}: expected a finite number{} for {}",
                                     where(source, item, fmt::format("{}[{}]", key, i)),
                                     metric_scale(out.metrics[i]) == ValueScale::log ? " > 0" : "",
                                     out.metrics[i]));
      out.reference_point.push_back(*v);
    }
  }

  if (const toml::node* node = root.get("constraints")) {
    const auto* table = node->as_table();
    if (table == nullptr)
      throw InputError(fmt::format("{}: expected a table", where(source, *node, "constraints")));
    const auto allowed = constrainable(out.metrics, objective);
    for (auto&& [k, value] : *table) {
      const std::string quantity(k.str());
      const std::string key = "constraints." + quantity;
      if (std::find(allowed.begin(), allowed.end(), quantity) == allowed.end())
        throw InputError(fmt::format("{}: this study has no quantity \"{}\"; expected one of {}",
                                     where(source, value, key), quantity, joined(allowed)));
      const auto text = value.value_exact<std::string>();
      if (!text)
        throw InputError(fmt::format("{}: expected a string such as \">= 0.85\" or \"<= 2000\"",
                                     where(source, value, key)));
      OutcomeConstraint constraint;
      try {
        constraint = parse_constraint(quantity, *text);
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}: {}", where(source, value, key), e.what()));
      }
      bind_constraint(constraint, out.metrics);
      out.constraints.push_back(constraint);
    }
  }
  return out;
}

std::vector<std::string> stored_metrics(const std::vector<std::string>& metrics,
                                        const std::string& objective) {
  return metrics == default_metrics(objective) ? std::vector<std::string>{} : metrics;
}

std::vector<Direction> directions_of(const StudyInfo& info) {
  return info.directions.empty() ? std::vector<Direction>{info.direction} : info.directions;
}

std::vector<std::string> metrics_of(const StudyInfo& info) {
  return info.metrics.empty() ? default_metrics(info.objective) : info.metrics;
}

nlohmann::json objectives_to_json(const StudyObjectives& objectives) {
  nlohmann::json directions = nlohmann::json::array();
  for (auto d : objectives.directions) directions.push_back(direction_text(d));
  nlohmann::json constraints = nlohmann::json::object();
  for (const auto& c : objectives.constraints)
    constraints[c.quantity] =  // fmt's shortest text that reads back as the same double
        fmt::format("{} {}", c.sense == ConstraintSense::at_most ? "<=" : ">=", c.bound);
  nlohmann::json out = {
      {"directions", directions}, {"metrics", objectives.metrics}, {"constraints", constraints}};
  out["reference_point"] = objectives.reference_point.empty()
                               ? nlohmann::json(nullptr)
                               : nlohmann::json(objectives.reference_point);
  return out;
}

StudyObjectives objectives_of(const StudyInfo& info) {
  StudyObjectives out;
  out.directions = directions_of(info);
  out.metrics = metrics_of(info);
  if (out.metrics.size() != out.directions.size()) out.metrics.resize(out.directions.size());
  const auto config = nlohmann::json::parse(info.config_json, nullptr, false);
  if (config.is_discarded() || !config.is_object()) return out;
  if (const auto it = config.find("constraints"); it != config.end() && it->is_object()) {
    for (const auto& [quantity, text] : it->items()) {
      if (!text.is_string()) continue;
      try {
        OutcomeConstraint c = parse_constraint(quantity, text.get<std::string>());
        bind_constraint(c, out.metrics);
        out.constraints.push_back(c);
      } catch (const InputError&) {
        // Untrusted: a bound that does not read is left out.
      }
    }
  }
  if (const auto it = config.find("reference_point");
      it != config.end() && it->is_array() && it->size() == out.directions.size() &&
      std::all_of(it->begin(), it->end(), [](const auto& v) { return v.is_number(); }))
    for (const auto& v : *it) out.reference_point.push_back(v.get<double>());
  return out;
}

}  // namespace greentune::tune
