#pragma once
// Search spaces: float (uniform or log), int (with step), categorical.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace greentune::tune {

enum class ParamType { real, integer, categorical };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::real;
  double low = 0, high = 1;          // real and integer; inclusive
  bool log = false;                  // sample in log space (low > 0)
  double step = 0;                   // integer: step (>= 1); real: 0 = continuous
  std::vector<std::string> choices;  // categorical
};

using ParamValue = std::variant<double, int64_t, std::string>;
using Params = std::map<std::string, ParamValue>;

struct SearchSpace {
  std::vector<ParamSpec> params;  // in declaration order
  const ParamSpec* find(const std::string& name) const;
};

// Reads a parameter as a double (integers widen); throws InputError naming it when absent or text.
double as_double(const Params& params, const std::string& name);
std::string to_string(const ParamValue& value);

}  // namespace greentune::tune
