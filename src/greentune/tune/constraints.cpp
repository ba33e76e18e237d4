#include "greentune/tune/constraints.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/acquisition.hpp"

namespace greentune::tune {

OutcomeConstraint parse_constraint(const std::string& quantity, const std::string& text) {
  auto fail = [&] {
    return InputError(fmt::format(
        "constraint on '{}': expected '<= NUMBER' or '>= NUMBER', got '{}'", quantity, text));
  };
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i + 2 > text.size() || text[i + 1] != '=' || (text[i] != '<' && text[i] != '>')) throw fail();
  OutcomeConstraint constraint;
  constraint.quantity = quantity;
  constraint.sense = text[i] == '<' ? ConstraintSense::at_most : ConstraintSense::at_least;
  const std::string number = text.substr(i + 2);
  const char* begin = number.c_str();
  char* end = nullptr;
  const double bound = std::strtod(begin, &end);
  if (end == begin) throw fail();
  while (*end != '\0' && std::isspace(static_cast<unsigned char>(*end))) ++end;
  if (*end != '\0') throw fail();
  if (!std::isfinite(bound))
    throw InputError(fmt::format("constraint on '{}': the bound must be a finite number, got '{}'",
                                 quantity, text));
  constraint.bound = bound;
  return constraint;
}

std::string to_string(const OutcomeConstraint& constraint) {
  return fmt::format("{} {} {}", constraint.quantity,
                     constraint.sense == ConstraintSense::at_most ? "<=" : ">=", constraint.bound);
}

bool is_satisfied(const OutcomeConstraint& constraint, double value) {
  if (!std::isfinite(value)) return false;
  return constraint.sense == ConstraintSense::at_most ? value <= constraint.bound
                                                      : value >= constraint.bound;
}

bool is_feasible(const std::vector<OutcomeConstraint>& constraints,
                 const std::vector<double>& values) {
  if (values.size() != constraints.size()) return false;
  for (size_t j = 0; j < constraints.size(); ++j)
    if (!is_satisfied(constraints[j], values[j])) return false;
  return true;
}

double log_probability_of_feasibility(ConstraintSense sense, double bound, double mean, double sd) {
  const double margin = sense == ConstraintSense::at_most ? bound - mean : mean - bound;
  if (!(sd > 0)) return margin >= 0 ? 0.0 : -std::numeric_limits<double>::infinity();
  return log_normal_cdf(margin / sd);
}

}  // namespace greentune::tune
