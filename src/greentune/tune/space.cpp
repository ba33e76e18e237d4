#include "greentune/tune/space.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "greentune/common/error.hpp"
#include "greentune/tune/names.hpp"

namespace greentune::tune {

namespace {

// Doubles hold every integer up to 2^53 exactly; beyond it int proposals would round.
constexpr double kExactIntegers = 9007199254740992.0;

bool whole(double x) {
  return std::isfinite(x) && x == std::floor(x) && std::abs(x) <= kExactIntegers;
}

void validate_numeric(const ParamSpec& p, const std::string& key) {
  if (!std::isfinite(p.low) || !std::isfinite(p.high))
    throw InputError(fmt::format("{}: expected finite low and high, got low = {} and high = {}",
                                 key, p.low, p.high));
  if (p.low >= p.high)
    throw InputError(
        fmt::format("{}: expected low < high, got low = {} and high = {}", key, p.low, p.high));
  if (!std::isfinite(p.high - p.low))
    throw InputError(fmt::format(
        "{}: high - low = {} - ({}) is beyond the largest double; expected a narrower range", key,
        p.high, p.low));
  if (p.log && p.low <= 0)
    throw InputError(fmt::format("{}.low: log = true needs low > 0, got {}", key, p.low));
  if (!std::isfinite(p.step))
    throw InputError(fmt::format("{}.step: expected a finite step, got {}", key, p.step));
  if (p.type == ParamType::integer) {
    // low + k * step is then exact at every step too.
    if (!whole(p.low) || !whole(p.high) || p.high - p.low > kExactIntegers)
      throw InputError(fmt::format(
          "{}: an int parameter needs whole low and high within +-2^53 ({}) and at most 2^53 "
          "apart, got low = {} and high = {}",
          key, kExactIntegers, p.low, p.high));
    if (p.step < 1 || !whole(p.step))
      throw InputError(fmt::format(
          "{}.step: expected a whole step >= 1 for an int parameter, got {}", key, p.step));
    if (p.log && p.step != 1)
      throw InputError(
          fmt::format("{}.step: log = true needs step 1 (or none), got {}", key, p.step));
    return;
  }
  if (p.step < 0)
    throw InputError(
        fmt::format("{}.step: expected a step >= 0 (0: continuous), got {}", key, p.step));
  if (p.step > 0 && p.log)
    throw InputError(fmt::format("{}.step: step and log = true cannot be combined", key));
  if (p.step > 0 && !((p.high - p.low) / p.step <= kExactIntegers))
    throw InputError(fmt::format(
        "{}.step: {} makes more than 2^53 steps between {} and {}; expected a larger step", key,
        p.step, p.low, p.high));
}

}  // namespace

void validate_space(const SearchSpace& space) {
  if (space.params.empty()) throw InputError("space: expected at least one parameter");
  std::set<std::string> names;
  for (const auto& p : space.params) {
    check_name(p.name, "space: parameter name");
    const std::string key = "space." + p.name;
    if (!names.insert(p.name).second) throw InputError(fmt::format("{}: defined twice", key));
    if (p.type != ParamType::categorical) {
      validate_numeric(p, key);
      continue;
    }
    if (p.choices.empty())
      throw InputError(fmt::format("{}.choices: expected at least one choice, got none", key));
    std::set<std::string> seen;
    for (const auto& choice : p.choices) {
      for (unsigned char c : choice)
        if (c < 0x20 || c == 0x7f)
          throw InputError(
              fmt::format("{}.choices: \"{}\": expected printable text, without control characters",
                          key, escaped(choice)));
      if (!seen.insert(choice).second)
        throw InputError(fmt::format("{}.choices: duplicate choice '{}'", key, choice));
    }
  }
}

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
