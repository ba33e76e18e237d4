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

// Refuses a space whose proposals could be anything but finite, exact values: every sampler and
// store relies on it. Checked by the TOML parser and by every Study, so a space built through the
// C++ API gets the same rules. InputError naming the parameter ("space.NAME...") when
//  - there is no parameter, a name is not a printable name (names.hpp) or is used twice;
//  - float/int: low or high is not finite, low >= high, or high - low overflows;
//  - log = true with low <= 0, or with a step (int: a step other than 1);
//  - int: low, high or step are not whole numbers within +-2^53 (where doubles hold every
//    integer exactly), high - low > 2^53, or step < 1;
//  - float: step < 0, or more than 2^53 steps between low and high;
//  - categorical: no choices, a choice used twice, or a choice with control characters.
void validate_space(const SearchSpace& space);

// Reads a parameter as a double (integers widen); throws InputError naming it when absent or text.
double as_double(const Params& params, const std::string& name);
std::string to_string(const ParamValue& value);

}  // namespace greentune::tune
