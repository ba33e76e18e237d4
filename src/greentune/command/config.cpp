#include "greentune/command/config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "greentune/command/placeholders.hpp"
#include "greentune/common/error.hpp"

namespace greentune::command {
namespace {

// "study.toml:12: command.argv[2]", as tune/config.cpp writes its places.
std::string where(const std::string& source, const toml::source_region& region,
                  const std::string& key) {
  if (region.begin.line > 0) return fmt::format("{}:{}: {}", source, region.begin.line, key);
  return fmt::format("{}: {}", source, key);
}

[[noreturn]] void fail(const std::string& source, const toml::node& node, const std::string& key,
                       const std::string& expected) {
  throw InputError(fmt::format("{}: expected {}", where(source, node.source(), key), expected));
}

std::string string_of(const toml::node& node, const std::string& source, const std::string& key) {
  if (auto s = node.value_exact<std::string>()) return *s;
  fail(source, node, key, "a string");
}

double seconds_of(const toml::node& node, const std::string& source, const std::string& key,
                  bool zero_allowed) {
  std::optional<double> value = node.value_exact<double>();
  if (auto i = node.value_exact<int64_t>()) value = static_cast<double>(*i);
  if (!value || !std::isfinite(*value) || *value < 0 || (!zero_allowed && *value == 0) ||
      *value > 1e9) {
    fail(source, node, key, zero_allowed ? "a number of seconds >= 0" : "a number of seconds > 0");
  }
  return *value;
}

std::vector<std::string> strings_of(const toml::node& node, const std::string& source,
                                    const std::string& key) {
  const auto* array = node.as_array();
  if (array == nullptr) fail(source, node, key, "an array of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < array->size(); ++i) {
    out.push_back(string_of(*array->get(i), source, fmt::format("{}[{}]", key, i)));
  }
  return out;
}

// Every placeholder must name a parameter or the trial, so a typo stops the study before it starts.
void check_placeholders(const std::string& text, const toml::node& node, const std::string& source,
                        const std::string& key, const tune::SearchSpace& space) {
  const std::string place = where(source, node.source(), key);
  for (const auto& name : placeholder_names(text, place)) {
    if (space.find(name) || trial_placeholders().count(name)) continue;
    std::string known;
    for (const auto& p : space.params) known += (known.empty() ? "" : ", ") + p.name;
    for (const auto& t : trial_placeholders()) known += ", " + t;
    throw InputError(fmt::format("{}: unknown placeholder {{{}}} (known: {})", place, name, known));
  }
}

bool is_env_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (unsigned char c : name) {
    if (!(std::isalnum(c) && c < 128) && c != '_') return false;
  }
  return true;
}

}  // namespace

bool is_reserved_metric(const std::string& name) {
  return name == "joules" || name == "seconds";
}

CommandConfig parse_command_config(const toml::table& table, const std::string& source,
                                   const tune::SearchSpace& space) {
  static const std::set<std::string> allowed = {"argv", "metric",          "metrics",
                                                "step", "timeout_seconds", "workdir",
                                                "env",  "grace_seconds",   "trials_dir"};
  for (auto&& [k, node] : table) {
    if (!allowed.count(std::string(k.str()))) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw InputError(fmt::format("{}: unknown key (expected one of: {})",
                                   where(source, k.source(), "command." + std::string(k.str())),
                                   list));
    }
    (void)node;
  }
  CommandConfig config;

  const toml::node* argv = table.get("argv");
  if (argv == nullptr) {
    throw InputError(fmt::format(
        "{}: command.argv: missing; expected the program and its arguments, e.g. argv = "
        "[\"python3\", \"train.py\", \"--lr={{lr}}\"]",
        source));
  }
  config.argv = strings_of(*argv, source, "command.argv");
  if (config.argv.empty() || config.argv[0].empty()) {
    fail(source, *argv, "command.argv", "a non-empty array whose first string names the program");
  }
  for (size_t i = 0; i < config.argv.size(); ++i) {
    check_placeholders(config.argv[i], *argv->as_array()->get(i), source,
                       fmt::format("command.argv[{}]", i), space);
  }

  const toml::node* metric = table.get("metric");
  const toml::node* metrics = table.get("metrics");
  if (metric && metrics) {
    throw InputError(fmt::format("{}: give metric or metrics, not both",
                                 where(source, metrics->source(), "command.metrics")));
  }
  if (metric) {
    config.metrics = {string_of(*metric, source, "command.metric")};
  } else if (metrics) {
    config.metrics = strings_of(*metrics, source, "command.metrics");
  } else {
    throw InputError(fmt::format(
        "{}: command.metric: missing; expected the key of the value in the program's report "
        "lines, e.g. metric = \"accuracy\"",
        source));
  }
  const toml::node& metric_node = metric ? *metric : *metrics;
  const std::string metric_key = metric ? "command.metric" : "command.metrics";
  if (config.metrics.empty()) fail(source, metric_node, metric_key, "at least one metric");
  std::set<std::string> seen;
  for (const auto& name : config.metrics) {
    if (name.empty() || name == "final") {
      fail(source, metric_node, metric_key, "metric names other than \"\" and \"final\"");
    }
    if (!seen.insert(name).second) {
      throw InputError(fmt::format("{}: metric \"{}\" is given twice",
                                   where(source, metric_node.source(), metric_key), name));
    }
  }

  if (const auto* n = table.get("step")) {
    config.step_key = string_of(*n, source, "command.step");
    if (config.step_key.empty() || seen.count(config.step_key) || config.step_key == "final") {
      fail(source, *n, "command.step",
           "the step counter's key, not empty and not one of the metrics or \"final\"");
    }
  }
  if (const auto* n = table.get("timeout_seconds")) {
    config.timeout_seconds = seconds_of(*n, source, "command.timeout_seconds", false);
  }
  if (const auto* n = table.get("grace_seconds")) {
    config.grace_seconds = seconds_of(*n, source, "command.grace_seconds", true);
  }
  if (const auto* n = table.get("workdir")) {
    config.workdir = string_of(*n, source, "command.workdir");
    if (config.workdir.empty()) fail(source, *n, "command.workdir", "a folder");
  }
  if (const auto* n = table.get("trials_dir")) {
    config.trials_dir = string_of(*n, source, "command.trials_dir");
    if (config.trials_dir.empty()) fail(source, *n, "command.trials_dir", "a folder");
  }
  if (const auto* n = table.get("env")) {
    const auto* env = n->as_table();
    if (env == nullptr) fail(source, *n, "command.env", "a table of NAME = \"value\"");
    for (auto&& [k, value] : *env) {
      const std::string name(k.str());
      const std::string key = "command.env." + name;
      if (!is_env_name(name)) {
        throw InputError(fmt::format("{}: expected a variable name of letters, digits and _",
                                     where(source, k.source(), key)));
      }
      if (name.starts_with("GREENTUNE_") || name == "CUDA_VISIBLE_DEVICES") {
        throw InputError(
            fmt::format("{}: set by greentune for each trial (GREENTUNE_*, and "
                        "CUDA_VISIBLE_DEVICES with --gpus); choose another name",
                        where(source, k.source(), key)));
      }
      std::string text = string_of(value, source, key);
      check_placeholders(text, value, source, key, space);
      config.env.emplace_back(name, std::move(text));
    }
  }

  // Two parameters whose variables would be one (lr-max, lr_max) would hide one of them.
  std::map<std::string, std::string> env_names;
  for (const auto& p : space.params) {
    auto [it, added] = env_names.emplace(param_env_name(p.name), p.name);
    if (!added) {
      throw InputError(
          fmt::format("{}: space parameters '{}' and '{}' would both be exported as {}; rename one",
                      source, it->second, p.name, it->first));
    }
  }
  return config;
}

CommandConfig parse_command_config_file(const std::filesystem::path& study_file,
                                        const tune::SearchSpace& space) {
  const std::string source = study_file.string();
  toml::table table;
  try {
    table = toml::parse_file(source);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}:{}: invalid TOML: {}", source, e.source().begin.line,
                                 e.source().begin.column, e.description()));
  }
  const auto* command = table.get("command");
  if (command == nullptr || !command->is_table()) {
    throw InputError(fmt::format("{}: objective command needs a [command] table", source));
  }
  return parse_command_config(*command->as_table(), source, space);
}

}  // namespace greentune::command
