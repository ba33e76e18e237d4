#include "greentune/tune/config.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/benchmarks.hpp"
#include "greentune/tune/multi_objective_benchmarks.hpp"
#include "greentune/tune/names.hpp"

namespace greentune::tune {

namespace {

// Where a key sits, for messages: "study.toml:12: space.lr.low".
std::string where(const std::string& source, const toml::node& node, const std::string& key) {
  const auto& begin = node.source().begin;
  if (begin.line > 0) return fmt::format("{}:{}: {}", source, begin.line, key);
  return fmt::format("{}: {}", source, key);
}

std::string where_key(const std::string& source, const toml::key& k, const std::string& key) {
  const auto& begin = k.source().begin;
  if (begin.line > 0) return fmt::format("{}:{}: {}", source, begin.line, key);
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
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    default:
      return "nothing";
  }
}

[[noreturn]] void wrong_type(const std::string& source, const toml::node& node,
                             const std::string& key, const char* expected) {
  throw InputError(
      fmt::format("{}: expected {}, got {}", where(source, node, key), expected, type_name(node)));
}

void check_keys(const toml::table& table, const std::string& source, const std::string& prefix,
                const std::set<std::string>& allowed) {
  for (auto&& [k, node] : table) {
    if (allowed.count(std::string(k.str())) == 0) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw InputError(fmt::format("{}: unknown key (expected one of: {})",
                                   where_key(source, k, prefix + std::string(k.str())), list));
    }
    (void)node;
  }
}

double get_number(const toml::node& node, const std::string& source, const std::string& key) {
  if (auto v = node.value_exact<double>()) {
    if (!std::isfinite(*v))
      throw InputError(
          fmt::format("{}: expected a finite number, got {}", where(source, node, key), *v));
    return *v;
  }
  if (auto i = node.value_exact<int64_t>()) return static_cast<double>(*i);
  wrong_type(source, node, key, "a number");
}

int64_t get_integer(const toml::node& node, const std::string& source, const std::string& key) {
  if (auto i = node.value_exact<int64_t>()) return *i;
  wrong_type(source, node, key, "an integer");
}

std::string get_string(const toml::node& node, const std::string& source, const std::string& key) {
  if (auto s = node.value_exact<std::string>()) return *s;
  wrong_type(source, node, key, "a string");
}

bool get_bool(const toml::node& node, const std::string& source, const std::string& key) {
  if (auto b = node.value_exact<bool>()) return *b;
  wrong_type(source, node, key, "true or false");
}

const toml::table& get_table(const toml::node& node, const std::string& source,
                             const std::string& key) {
  if (const auto* t = node.as_table()) return *t;
  wrong_type(source, node, key, "a table");
}

nlohmann::json to_json(const toml::node& node) {
  if (const auto* t = node.as_table()) {
    auto out = nlohmann::json::object();
    for (auto&& [k, v] : *t) out[std::string(k.str())] = to_json(v);
    return out;
  }
  if (const auto* a = node.as_array()) {
    auto out = nlohmann::json::array();
    for (const auto& v : *a) out.push_back(to_json(v));
    return out;
  }
  if (auto s = node.value_exact<std::string>()) return *s;
  if (auto i = node.value_exact<int64_t>()) return *i;
  if (auto d = node.value_exact<double>()) return *d;
  if (auto b = node.value_exact<bool>()) return *b;
  std::ostringstream text;  // dates and times: keep their TOML spelling
  node.visit([&](const auto& v) { text << v; });
  return text.str();
}

template <typename T>
T named_value(const std::string& text, const std::string& what,
              std::initializer_list<std::pair<const char*, T>> names) {
  std::string list;
  for (const auto& [name, value] : names) {
    if (text == name) return value;
    list += (list.empty() ? "" : ", ") + std::string(name);
  }
  throw InputError(fmt::format("{} '{}': expected one of {}", what, text, list));
}

void parse_sampler(const toml::table& table, const std::string& source, const std::string& prefix,
                   SamplerOptions& options) {
  check_keys(table, source, prefix,
             {"grid_points", "grid_rule", "quasi", "startup_rounds", "acquisition", "ucb_beta",
              "xi", "candidates", "fit_restarts"});
  auto named = [&](const char* key, auto parse) {
    if (const auto* node = table.get(key)) {
      const std::string full = prefix + key;
      try {
        parse(get_string(*node, source, full));
      } catch (const InputError& e) {
        if (std::string(e.what()).starts_with(source)) throw;
        throw InputError(fmt::format("{}: {}", where(source, *node, full), e.what()));
      }
    }
  };
  auto integer = [&](const char* key, int low, int& out) {
    if (const auto* node = table.get(key)) {
      const auto v = get_integer(*node, source, prefix + key);
      if (v < low || v > 1000000)
        throw InputError(fmt::format("{}: expected an integer >= {}, got {}",
                                     where(source, *node, prefix + key), low, v));
      out = static_cast<int>(v);
    }
  };
  integer("grid_points", 1, options.grid_points);
  integer("startup_rounds", 0, options.startup_rounds);
  integer("candidates", 1, options.candidates);
  integer("fit_restarts", 0, options.fit_restarts);
  named("grid_rule", [&](const std::string& s) { options.grid_rule = grid_rule_from_string(s); });
  named("quasi", [&](const std::string& s) { options.quasi = quasi_from_string(s); });
  named("acquisition",
        [&](const std::string& s) { options.acquisition = acquisition_from_string(s); });
  if (const auto* node = table.get("ucb_beta")) {
    options.ucb_beta = get_number(*node, source, prefix + "ucb_beta");
    if (options.ucb_beta < 0)
      throw InputError(fmt::format("{}: expected a number >= 0, got {}",
                                   where(source, *node, prefix + "ucb_beta"), options.ucb_beta));
  }
  if (const auto* node = table.get("xi")) options.xi = get_number(*node, source, prefix + "xi");
}

ParamSpec parse_param(const std::string& name, const toml::node& node, const std::string& source) {
  const std::string prefix = "space." + name;
  const auto& table = get_table(node, source, prefix);
  check_keys(table, source, prefix + ".", {"type", "low", "high", "log", "step", "choices"});
  ParamSpec spec;
  spec.name = name;
  std::string type = table.contains("choices") ? "categorical" : "float";
  if (const auto* t = table.get("type")) type = get_string(*t, source, prefix + ".type");
  auto field = [&](const char* key) -> const toml::node* { return table.get(key); };
  auto require = [&](const char* key) -> const toml::node& {
    if (const auto* n = table.get(key)) return *n;
    throw InputError(
        fmt::format("{}: missing '{}' for a {} parameter", where(source, node, prefix), key, type));
  };
  auto forbid = [&](const char* key) {
    if (const auto* n = table.get(key))
      throw InputError(fmt::format("{}: not allowed for a {} parameter",
                                   where(source, *n, prefix + "." + key), type));
  };
  if (type == "float" || type == "int") {
    forbid("choices");
    spec.type = type == "float" ? ParamType::real : ParamType::integer;
    if (spec.type == ParamType::real) {
      spec.low = get_number(require("low"), source, prefix + ".low");
      spec.high = get_number(require("high"), source, prefix + ".high");
    } else {
      spec.low = static_cast<double>(get_integer(require("low"), source, prefix + ".low"));
      spec.high = static_cast<double>(get_integer(require("high"), source, prefix + ".high"));
      spec.step = 1;
    }
    if (const auto* n = field("log")) spec.log = get_bool(*n, source, prefix + ".log");
    if (const auto* n = field("step")) {
      spec.step = spec.type == ParamType::real
                      ? get_number(*n, source, prefix + ".step")
                      : static_cast<double>(get_integer(*n, source, prefix + ".step"));
      if (spec.step <= 0)
        throw InputError(fmt::format("{}: expected a step > 0, got {}",
                                     where(source, *n, prefix + ".step"), spec.step));
      if (spec.log)
        throw InputError(fmt::format("{}: step and log = true cannot be combined",
                                     where(source, *n, prefix + ".step")));
    }
  } else if (type == "categorical") {
    for (const char* key : {"low", "high", "log", "step"}) forbid(key);
    spec.type = ParamType::categorical;
    const auto& choices = require("choices");
    const auto* array = choices.as_array();
    if (array == nullptr) wrong_type(source, choices, prefix + ".choices", "an array of strings");
    std::set<std::string> seen;
    for (const auto& choice : *array) {
      // Numbers are accepted and kept as their text, so `choices = [32, 64]` works.
      std::string text;
      if (auto s = choice.value_exact<std::string>())
        text = *s;
      else if (auto i = choice.value_exact<int64_t>())
        text = std::to_string(*i);
      else if (auto d = choice.value_exact<double>())
        text = fmt::format("{}", *d);
      else if (auto b = choice.value_exact<bool>())
        text = *b ? "true" : "false";
      else
        wrong_type(source, choice, prefix + ".choices[]", "a string or number");
      if (!seen.insert(text).second)
        throw InputError(fmt::format("{}: duplicate choice '{}'",
                                     where(source, choice, prefix + ".choices"), text));
      spec.choices.push_back(text);
    }
  } else {
    throw InputError(fmt::format("{}: expected \"float\", \"int\" or \"categorical\", got \"{}\"",
                                 where(source, *table.get("type"), prefix + ".type"), type));
  }
  try {
    SearchSpace one;
    one.params.push_back(spec);
    validate_space(one);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}{}", where(source, node, ""), e.what()));
  }
  return spec;
}

// The train objective's full length in epochs, [pruner] max_step's default: the largest
// `epochs` the space can propose, else train.epochs (the trainer's default: 1).
int train_steps(const StudyConfig& config, const std::string& source) {
  int64_t epochs = 1;
  if (const auto* p = config.space.find("epochs"); p != nullptr && p->type == ParamType::integer)
    epochs = static_cast<int64_t>(p->high);
  else if (config.train.contains("epochs") && config.train["epochs"].is_number_integer())
    epochs = config.train["epochs"].get<int64_t>();
  if (epochs <= config.pruner.min_step || epochs > kMaxPrunerSteps)
    throw InputError(fmt::format(
        "{}: pruner.max_step: not given, and the train objective's {} epoch(s) leave nothing to "
        "stop early (expected more epochs than pruner.min_step = {}, at most {}); give more "
        "train.epochs or pruner.max_step",
        source, epochs, config.pruner.min_step, kMaxPrunerSteps));
  return static_cast<int>(epochs);
}

}  // namespace

SearchSpace parse_space(const toml::table& space_table, const std::string& source) {
  // toml++ keeps keys sorted; the declaration order (what users see in tables) comes from the
  // keys' source positions.
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::string>> keys;
  for (auto&& [k, node] : space_table)
    keys.push_back({{k.source().begin.line, k.source().begin.column}, std::string(k.str())});
  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  SearchSpace space;
  for (const auto& [position, name] : keys)
    space.params.push_back(parse_param(name, *space_table.get(name), source));
  if (space.params.empty()) throw InputError(fmt::format("{}: [space] has no parameters", source));
  return space;
}

Direction direction_from_string(const std::string& text) {
  return named_value<Direction>(
      text, "direction", {{"maximize", Direction::maximize}, {"minimize", Direction::minimize}});
}

const char* to_string(Direction direction) {
  return direction == Direction::maximize ? "maximize" : "minimize";
}

StudyConfig parse_study_config(const toml::table& table, const std::string& source) {
  check_keys(table, source, "",
             {"study", "sampler", "space", "train", "command", "constraints", "pruner"});
  StudyConfig config;
  const toml::node* study_node = table.get("study");
  if (study_node == nullptr) throw InputError(fmt::format("{}: missing the [study] table", source));
  const auto& study = get_table(*study_node, source, "study");
  check_keys(study, source, "study.",
             {"name", "storage", "strategy", "rounds", "seed", "direction", "objective",
              "tolerance", "sampler", "reference_point", "max_joules", "max_trial_joules"});
  config.budget = parse_energy_budget(study, source);
  auto str = [&](const char* key, std::string& out) {
    if (const auto* n = study.get(key)) out = get_string(*n, source, std::string("study.") + key);
  };
  str("name", config.name);
  str("storage", config.storage);
  str("strategy", config.strategy);
  str("objective", config.objective);
  if (config.name.empty())
    throw InputError(fmt::format("{}: study.name: expected a non-empty name", source));
  try {
    check_name(config.name, "study.name");
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}{}", where(source, *study.get("name"), ""), e.what()));
  }
  if (const auto* n = study.get("rounds")) {
    const auto rounds = get_integer(*n, source, "study.rounds");
    if (rounds < 1 || rounds > kMaxRounds)
      throw InputError(fmt::format("{}: expected 1 <= rounds <= {}, got {}",
                                   where(source, *n, "study.rounds"), kMaxRounds, rounds));
    config.rounds = static_cast<int>(rounds);
  }
  if (const auto* n = study.get("seed")) {
    const auto seed = get_integer(*n, source, "study.seed");
    if (seed < 0)
      throw InputError(
          fmt::format("{}: expected a seed >= 0, got {}", where(source, *n, "study.seed"), seed));
    config.seed = static_cast<uint64_t>(seed);
  }
  if (const auto* n = study.get("tolerance")) {
    config.tolerance = get_number(*n, source, "study.tolerance");
    if (config.tolerance < 0)
      throw InputError(fmt::format("{}: expected a tolerance >= 0, got {}",
                                   where(source, *n, "study.tolerance"), config.tolerance));
  }
  static const std::set<std::string> strategies = {"grid", "random", "sobol", "halton", "bayes"};
  if (!strategies.count(config.strategy))
    throw InputError(
        fmt::format("{}: study.strategy: expected grid, random, sobol, halton or "
                    "bayes, got \"{}\"",
                    source, config.strategy));
  const bool benchmark = is_benchmark_objective(config.objective);
  if (!benchmark && config.objective != "train" && config.objective != "command")
    throw InputError(fmt::format(
        "{}: study.objective: expected train, command, branin, hartmann6, zdt1, zdt2 or dtlz2, "
        "got \"{}\"",
        source, config.objective));
  config.objectives = parse_objectives(table, config.objective, source);
  config.direction = config.objectives.directions.front();
  const toml::node* nested = study.get("sampler");
  const toml::node* top = table.get("sampler");
  if (nested && top)
    throw InputError(
        fmt::format("{}: give sampler settings in [study.sampler] or [sampler], not both", source));
  if (nested)
    parse_sampler(get_table(*nested, source, "study.sampler"), source, "study.sampler.",
                  config.sampler);
  if (top) parse_sampler(get_table(*top, source, "sampler"), source, "sampler.", config.sampler);

  if (const auto* n = table.get("space")) {
    config.space = parse_space(get_table(*n, source, "space"), source);
  } else if (benchmark) {
    config.space = benchmark_space(config.objective);
  } else {
    throw InputError(fmt::format("{}: missing the [space] table", source));
  }
  if (benchmark) {
    // The benchmark functions read x1..xN: a space without them would fail at the first round.
    const auto expected = is_multi_objective_benchmark(config.objective)
                              ? unit_cube_space(2)  // x0, x1 at least; further x2, ... are used
                              : benchmark_space(config.objective);
    for (const auto& p : expected.params) {
      const auto* found = config.space.find(p.name);
      if (found == nullptr || found->type == ParamType::categorical)
        throw InputError(fmt::format("{}: space.{}: objective {} needs a numeric parameter '{}'",
                                     source, p.name, config.objective, p.name));
    }
  }
  if (const auto* n = table.get("train")) {
    config.train = to_json(get_table(*n, source, "train"));
  } else if (config.objective == "train") {
    throw InputError(fmt::format("{}: objective train needs a [train] table", source));
  }
  if (const auto* n = table.get("command")) {
    config.command = get_table(*n, source, "command");
  } else if (config.objective == "command") {
    throw InputError(fmt::format("{}: objective command needs a [command] table", source));
  }
  if (const auto* n = table.get("pruner")) {
    config.pruner = parse_pruner_table(get_table(*n, source, "pruner"), source);
    if (config.pruner.kind != PrunerKind::none && config.pruner.max_step == 0 &&
        config.objective == "train")
      config.pruner.max_step = train_steps(config, source);
    validate_pruner_config(config.pruner, source);
  }
  return config;
}

StudyConfig parse_study_config(const std::filesystem::path& toml_file) {
  const std::string source = toml_file.string();
  if (!std::filesystem::exists(toml_file))
    throw InputError(fmt::format("{}: study config not found", source));
  toml::table table;
  try {
    table = toml::parse_file(source);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}:{}: invalid TOML: {}", source, e.source().begin.line,
                                 e.source().begin.column, e.description()));
  }
  return parse_study_config(table, source);
}

nlohmann::json space_to_json(const SearchSpace& space) {
  auto out = nlohmann::json::array();
  for (const auto& p : space.params) {
    nlohmann::json j;
    j["name"] = p.name;
    if (p.type == ParamType::categorical) {
      j["type"] = "categorical";
      j["choices"] = p.choices;
    } else {
      j["type"] = p.type == ParamType::real ? "float" : "int";
      if (p.type == ParamType::integer) {
        j["low"] = static_cast<int64_t>(p.low);
        j["high"] = static_cast<int64_t>(p.high);
      } else {
        j["low"] = p.low;
        j["high"] = p.high;
      }
      j["log"] = p.log;
      j["step"] = p.step;
    }
    out.push_back(j);
  }
  return out;
}

SearchSpace space_from_json(const nlohmann::json& json) {
  if (!json.is_array()) throw InputError("space JSON: expected an array of parameters");
  SearchSpace space;
  for (const auto& j : json) {
    try {
      ParamSpec p;
      p.name = j.at("name").get<std::string>();
      const auto type = j.at("type").get<std::string>();
      if (type == "categorical") {
        p.type = ParamType::categorical;
        p.choices = j.at("choices").get<std::vector<std::string>>();
      } else if (type == "float" || type == "int") {
        p.type = type == "float" ? ParamType::real : ParamType::integer;
        p.low = j.at("low").get<double>();
        p.high = j.at("high").get<double>();
        p.log = j.contains("log") && j.at("log") == true;
        p.step = j.value("step", p.type == ParamType::integer ? 1.0 : 0.0);
      } else {
        throw InputError(
            fmt::format("space JSON: parameter '{}': unknown type '{}'", p.name, type));
      }
      space.params.push_back(p);
    } catch (const nlohmann::json::exception& e) {
      throw InputError(fmt::format("space JSON: malformed parameter {}: {}", j.dump(), e.what()));
    }
  }
  validate_space(space);
  return space;
}

nlohmann::json config_to_json(const StudyConfig& config) {
  nlohmann::json j;
  j["name"] = config.name;
  j["strategy"] = config.strategy;
  j["objective"] = config.objective;
  j["rounds"] = config.rounds;
  j["seed"] = config.seed;
  j["direction"] = to_string(config.direction);
  j.update(objectives_to_json(config.objectives));
  j["tolerance"] = config.tolerance;
  j["sampler"] = {{"grid_points", config.sampler.grid_points},
                  {"grid_rule", to_string(config.sampler.grid_rule)},
                  {"quasi", to_string(config.sampler.quasi)},
                  {"startup_rounds", config.sampler.startup_rounds},
                  {"acquisition", to_string(config.sampler.acquisition)},
                  {"ucb_beta", config.sampler.ucb_beta},
                  {"xi", config.sampler.xi},
                  {"candidates", config.sampler.candidates},
                  {"fit_restarts", config.sampler.fit_restarts}};
  j["train"] = config.train;
  j["pruner"] = pruner_config_to_json(config.pruner);
  j["max_joules"] = config.budget.max_joules;
  j["max_trial_joules"] = config.budget.max_trial_joules;
  if (!config.command.empty()) j["command"] = to_json(config.command);
  return j;
}

}  // namespace greentune::tune
