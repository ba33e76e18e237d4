#include "greentune/store/params_codec.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "greentune/common/error.hpp"

namespace greentune::store {

std::string encode_params(const tune::Params& params) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [name, value] : params) {
    std::visit([&](const auto& v) { object[name] = v; }, value);
  }
  return object.dump();
}

tune::Params decode_params(const std::string& text, const std::string& where) {
  nlohmann::json object = nlohmann::json::parse(text, nullptr, false);
  if (!object.is_object()) {
    throw InputError(fmt::format("{}: params_json '{}' is not a JSON object", where, text));
  }
  tune::Params params;
  for (const auto& [name, value] : object.items()) {
    if (value.is_number_float()) {
      params[name] = value.get<double>();
    } else if (value.is_number_integer()) {
      params[name] = value.get<int64_t>();
    } else if (value.is_string()) {
      params[name] = value.get<std::string>();
    } else {
      throw InputError(fmt::format("{}: parameter '{}' is {}; expected a number or a string", where,
                                   name, value.dump()));
    }
  }
  return params;
}

// JSON has no NaN: a missing value is written as null and read back as NaN.
std::string encode_values(const std::vector<double>& values) {
  nlohmann::json array = nlohmann::json::array();
  for (double v : values) {
    if (std::isfinite(v)) {
      array.push_back(v);
    } else {
      array.push_back(nullptr);
    }
  }
  return array.dump();
}

std::vector<double> decode_values(const std::string& text, const std::string& where) {
  nlohmann::json array = nlohmann::json::parse(text, nullptr, false);
  if (!array.is_array()) {
    throw InputError(fmt::format("{}: values_json '{}' is not a JSON array", where, text));
  }
  std::vector<double> values;
  for (const auto& v : array) {
    if (v.is_number()) {
      values.push_back(v.get<double>());
    } else if (v.is_null()) {
      values.push_back(std::numeric_limits<double>::quiet_NaN());
    } else {
      throw InputError(fmt::format("{}: values_json holds {}; expected numbers", where, v.dump()));
    }
  }
  return values;
}

nlohmann::json trial_to_json(const tune::Trial& trial) {
  nlohmann::json out;
  out["number"] = trial.number;
  out["id"] = trial.id;
  out["state"] = tune::to_string(trial.state);
  out["value"] = trial.value ? nlohmann::json(*trial.value) : nlohmann::json(nullptr);
  out["values"] = nlohmann::json::parse(encode_values(trial.values));
  out["params"] = nlohmann::json::parse(encode_params(trial.params));
  out["seconds"] = trial.seconds;
  out["joules"] = trial.joules;
  nlohmann::json energy = nlohmann::json::array();
  for (const auto& e : trial.energy) {
    energy.push_back(
        {{"domain", e.domain}, {"source", e.source}, {"kind", e.kind}, {"joules", e.joules}});
  }
  out["energy"] = energy;
  out["host"] = trial.host;
  nlohmann::json intermediate = nlohmann::json::array();
  for (const auto& i : trial.intermediate) {
    intermediate.push_back({{"step", i.step}, {"value", i.value}});
  }
  out["intermediate"] = intermediate;
  nlohmann::json attrs = nlohmann::json::parse(trial.attrs_json, nullptr, false);
  out["attrs"] = attrs.is_discarded() ? nlohmann::json(trial.attrs_json) : attrs;
  out["started_at"] = trial.started_at;
  out["finished_at"] = trial.finished_at;
  out["heartbeat_at"] = trial.heartbeat_at;
  return out;
}

}  // namespace greentune::store
