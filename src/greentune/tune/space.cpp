#include "greentune/tune/space.hpp"

#include <fmt/format.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {

const ParamSpec* SearchSpace::find(const std::string& name) const {
  for (const auto& param : params)
    if (param.name == name) return &param;
  return nullptr;
}

double as_double(const Params& params, const std::string& name) {
  auto it = params.find(name);
  if (it == params.end()) throw InputError(fmt::format("parameter '{}' is missing", name));
  if (const auto* d = std::get_if<double>(&it->second)) return *d;
  if (const auto* i = std::get_if<int64_t>(&it->second)) return static_cast<double>(*i);
  throw InputError(fmt::format("parameter '{}': expected a number, got text '{}'", name,
                               std::get<std::string>(it->second)));
}

std::string to_string(const ParamValue& value) {
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{:.6g}", *d);
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  return std::get<std::string>(value);
}

}  // namespace greentune::tune
