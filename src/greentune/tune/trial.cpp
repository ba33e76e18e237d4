#include "greentune/tune/trial.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "greentune/common/error.hpp"

namespace greentune::tune {

const char* to_string(TrialState state) {
  switch (state) {
    case TrialState::running:
      return "running";
    case TrialState::complete:
      return "complete";
    case TrialState::failed:
      return "failed";
    case TrialState::diverged:
      return "diverged";
    case TrialState::pruned:
      return "pruned";
  }
  return "unknown";
}

TrialState trial_state_from_string(const std::string& text) {
  for (auto state : {TrialState::running, TrialState::complete, TrialState::failed,
                     TrialState::diverged, TrialState::pruned})
    if (text == to_string(state)) return state;
  throw InputError(fmt::format(
      "trial state '{}': expected running, complete, failed, diverged or pruned", text));
}

std::optional<double> Trial::value() const {
  if (values.empty() || !std::isfinite(values.front())) return std::nullopt;
  return values.front();
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::json number(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

nlohmann::json number(const std::optional<double>& x) {
  return x ? number(*x) : nlohmann::json(nullptr);
}

nlohmann::json numbers(const std::vector<double>& xs) {
  nlohmann::json out = nlohmann::json::array();
  for (double x : xs) out.push_back(number(x));
  return out;
}

// Reads the keys of one JSON object; every accessor names `where.key` and the expected type.
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string where)
      : object_(object), where_(std::move(where)) {
    if (!object_.is_object())
      throw InputError(fmt::format("{}: expected a JSON object, got {}", where_, brief(object_)));
  }

  const nlohmann::json* find(const char* key) const {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  std::string at(const char* key) const { return where_ + "." + key; }

  double real(const char* key, double fallback) const {
    const auto* v = find(key);
    return v ? to_real(*v, at(key)) : fallback;
  }
  std::optional<double> optional_real(const char* key) const {
    const auto* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    return to_real(*v, at(key));
  }
  int64_t integer(const char* key, int64_t fallback) const {
    const auto* v = find(key);
    if (!v) return fallback;
    if (!v->is_number_integer()) throw wrong(at(key), "an integer", *v);
    return v->get<int64_t>();
  }
  std::optional<int64_t> optional_integer(const char* key) const {
    const auto* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    return integer(key, 0);
  }
  std::string text(const char* key) const {
    const auto* v = find(key);
    if (!v) return {};
    if (!v->is_string()) throw wrong(at(key), "a string", *v);
    return v->get<std::string>();
  }
  bool boolean(const char* key) const {
    const auto* v = find(key);
    if (!v) return false;
    if (!v->is_boolean()) throw wrong(at(key), "true or false", *v);
    return v->get<bool>();
  }
  // nullptr when absent or null.
  const nlohmann::json* array(const char* key) const {
    const auto* v = find(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_array()) throw wrong(at(key), "an array", *v);
    return v;
  }
  const nlohmann::json* object(const char* key) const {
    const auto* v = find(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_object()) throw wrong(at(key), "an object", *v);
    return v;
  }
  std::vector<double> reals(const char* key) const {
    std::vector<double> out;
    if (const auto* a = array(key))
      for (size_t i = 0; i < a->size(); ++i)
        out.push_back(to_real((*a)[i], fmt::format("{}[{}]", at(key), i)));
    return out;
  }

  static std::string brief(const nlohmann::json& v) {
    std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return text.size() > 60 ? text.substr(0, 57) + "..." : text;
  }
  static InputError wrong(const std::string& where, const char* expected, const nlohmann::json& v) {
    return InputError(fmt::format("{}: expected {}, got {}", where, expected, brief(v)));
  }
  static double to_real(const nlohmann::json& v, const std::string& where) {
    if (v.is_null()) return kNaN;
    if (!v.is_number()) throw wrong(where, "a number (or null)", v);
    return v.get<double>();
  }

 private:
  const nlohmann::json& object_;
  std::string where_;
};

nlohmann::json conditions_to_json(const RunConditions& c) {
  return {{"load_average_start", number(c.load_average_start)},
          {"load_average_end", number(c.load_average_end)},
          {"other_cpu_seconds", number(c.other_cpu_seconds)},
          {"cpu_share", number(c.cpu_share)}};
}

RunConditions conditions_from_json(const Fields& f) {
  RunConditions c;
  c.load_average_start = f.optional_real("load_average_start");
  c.load_average_end = f.optional_real("load_average_end");
  c.other_cpu_seconds = f.optional_real("other_cpu_seconds");
  c.cpu_share = f.optional_real("cpu_share");
  return c;
}

nlohmann::json training_to_json(const TrainingFigures& t) {
  nlohmann::json layers = nlohmann::json::object();
  for (const auto& [type, joules] : t.layer_joules) layers[type] = number(joules);
  nlohmann::json reps = nlohmann::json::array();
  for (const auto& r : t.repetitions)
    reps.push_back({{"seed", r.seed},
                    {"value", number(r.value)},
                    {"test_accuracy", number(r.test_accuracy)},
                    {"seconds", number(r.seconds)},
                    {"joules", number(r.joules)},
                    {"diverged", r.diverged}});
  return {{"model_spec", t.model_spec},
          {"parameter_count", t.parameter_count ? nlohmann::json(*t.parameter_count) : nullptr},
          {"test_accuracy", number(t.test_accuracy)},
          {"validation_accuracy", number(t.validation_accuracy)},
          {"layer_joules", layers},
          {"repetitions", reps}};
}

TrainingFigures training_from_json(const Fields& f) {
  TrainingFigures t;
  t.model_spec = f.text("model_spec");
  t.parameter_count = f.optional_integer("parameter_count");
  t.test_accuracy = f.optional_real("test_accuracy");
  t.validation_accuracy = f.optional_real("validation_accuracy");
  if (const auto* layers = f.object("layer_joules"))
    for (const auto& [type, joules] : layers->items())
      t.layer_joules[type] = Fields::to_real(joules, f.at("layer_joules") + "." + type);
  if (const auto* reps = f.array("repetitions"))
    for (size_t i = 0; i < reps->size(); ++i) {
      Fields r((*reps)[i], fmt::format("{}[{}]", f.at("repetitions"), i));
      Repetition rep;
      int64_t seed = r.integer("seed", 0);
      if (seed < 0) throw Fields::wrong(r.at("seed"), "an integer >= 0", (*reps)[i]["seed"]);
      rep.seed = static_cast<uint64_t>(seed);
      rep.value = r.real("value", kNaN);
      rep.test_accuracy = r.optional_real("test_accuracy");
      rep.seconds = r.real("seconds", 0);
      rep.joules = r.real("joules", 0);
      rep.diverged = r.boolean("diverged");
      t.repetitions.push_back(rep);
    }
  return t;
}

}  // namespace

nlohmann::json params_to_json(const Params& params) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [name, value] : params) {
    if (const auto* d = std::get_if<double>(&value))
      object[name] = number(*d);
    else if (const auto* i = std::get_if<int64_t>(&value))
      object[name] = *i;
    else
      object[name] = std::get<std::string>(value);
  }
  return object;
}

Params params_from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object())
    throw InputError(fmt::format("{}: expected a JSON object of parameters, got {}", where,
                                 Fields::brief(json)));
  Params params;
  for (const auto& [name, value] : json.items()) {
    if (value.is_number_integer()) {
      params[name] = value.get<int64_t>();
    } else if (value.is_number() || value.is_null()) {
      params[name] = Fields::to_real(value, where + "." + name);
    } else if (value.is_string()) {
      params[name] = value.get<std::string>();
    } else {
      throw Fields::wrong(where + "." + name, "a number or a string", value);
    }
  }
  return params;
}

nlohmann::json to_json(const Trial& trial) {
  nlohmann::json intermediate = nlohmann::json::array();
  for (const auto& r : trial.intermediate)
    intermediate.push_back({{"step", r.step},
                            {"values", numbers(r.values)},
                            {"seconds", number(r.seconds)},
                            {"joules", number(r.joules)}});
  nlohmann::json energy = nlohmann::json::array();
  for (const auto& e : trial.energy)
    energy.push_back(
        {{"name", e.name}, {"kind", e.kind}, {"source", e.source}, {"joules", number(e.joules)}});
  return {
      {"id", trial.id},
      {"number", trial.number},
      {"state", to_string(trial.state)},
      {"value", number(trial.value())},
      {"values", numbers(trial.values)},
      {"params", params_to_json(trial.params)},
      {"intermediate", intermediate},
      {"seconds", number(trial.seconds)},
      {"joules", number(trial.joules)},
      {"energy", energy},
      {"started_at", number(trial.started_at)},
      {"finished_at", number(trial.finished_at)},
      {"heartbeat_at", number(trial.heartbeat_at)},
      {"host", trial.host},
      {"pid", trial.pid},
      {"pid_namespace", trial.pid_namespace},
      {"retry", trial.retry},
      {"error", trial.error},
      {"conditions", conditions_to_json(trial.conditions)},
      {"training", trial.training ? training_to_json(*trial.training) : nullptr},
      {"attributes", trial.attributes.is_object() ? trial.attributes : nlohmann::json::object()}};
}

Trial trial_from_json(const nlohmann::json& json, const std::string& where) {
  Fields f(json, where);
  Trial t;
  t.id = f.integer("id", 0);
  int64_t number = f.integer("number", 0);
  if (number < 0 || number > std::numeric_limits<int>::max())
    throw Fields::wrong(f.at("number"), "an integer >= 0", *f.find("number"));
  t.number = static_cast<int>(number);
  if (const auto* state = f.find("state")) {
    if (!state->is_string()) throw Fields::wrong(f.at("state"), "a string", *state);
    try {
      t.state = trial_state_from_string(state->get<std::string>());
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", f.at("state"), e.what()));
    }
  }
  t.values = f.reals("values");
  if (const auto* params = f.find("params")) t.params = params_from_json(*params, f.at("params"));
  if (const auto* reports = f.array("intermediate"))
    for (size_t i = 0; i < reports->size(); ++i) {
      Fields r((*reports)[i], fmt::format("{}[{}]", f.at("intermediate"), i));
      IntermediateReport report;
      int64_t step = r.integer("step", 0);
      if (step < std::numeric_limits<int>::min() || step > std::numeric_limits<int>::max())
        throw Fields::wrong(r.at("step"), "a 32-bit integer", (*reports)[i]["step"]);
      report.step = static_cast<int>(step);
      report.values = r.reals("values");
      report.seconds = r.real("seconds", kNaN);
      report.joules = r.real("joules", kNaN);
      t.intermediate.push_back(std::move(report));
    }
  t.seconds = f.real("seconds", 0);
  t.joules = f.real("joules", 0);
  if (const auto* energy = f.array("energy"))
    for (size_t i = 0; i < energy->size(); ++i) {
      Fields e((*energy)[i], fmt::format("{}[{}]", f.at("energy"), i));
      t.energy.push_back({e.text("name"), e.text("kind"), e.text("source"), e.real("joules", 0)});
    }
  t.started_at = f.real("started_at", 0);
  t.finished_at = f.real("finished_at", 0);
  t.heartbeat_at = f.real("heartbeat_at", 0);
  t.host = f.text("host");
  t.pid = f.integer("pid", 0);
  t.pid_namespace = f.text("pid_namespace");
  t.retry = f.boolean("retry");
  t.error = f.text("error");
  if (const auto* c = f.object("conditions"))
    t.conditions = conditions_from_json(Fields(*c, f.at("conditions")));
  if (const auto* training = f.object("training"))
    t.training = training_from_json(Fields(*training, f.at("training")));
  if (const auto* attributes = f.object("attributes")) t.attributes = *attributes;
  return t;
}

Usage usage_from_reports(const Trial& trial) {
  Usage usage;
  for (const auto& report : trial.intermediate) {
    if (std::isfinite(report.seconds)) usage.seconds = std::max(usage.seconds, report.seconds);
    if (std::isfinite(report.joules)) usage.joules = std::max(usage.joules, report.joules);
  }
  return usage;
}

}  // namespace greentune::tune
