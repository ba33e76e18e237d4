#pragma once
// Outcome constraints ("accuracy >= 0.85", "joules <= 2000"): a bound on a quantity a trial
// measures. The Bayesian samplers model each constrained quantity with its own GP and multiply the
// acquisition by the probability that a point satisfies every constraint, so infeasible trials
// still teach the model where the boundary lies instead of being thrown away.
#include <string>
#include <vector>

namespace greentune::tune {

// How a positive quantity is modelled: log for quantities that span orders of magnitude (joules,
// seconds, parameter counts), where a GP on the raw values would be dominated by the largest.
enum class ValueScale { linear, log };

enum class ConstraintSense { at_most, at_least };

struct OutcomeConstraint {
  std::string quantity;  // "accuracy", "joules": names it in messages and for the trial reader
  ConstraintSense sense = ConstraintSense::at_most;
  double bound = 0;
  ValueScale scale = ValueScale::linear;  // log needs bound > 0
  int objective = -1;  // >= 0: the constrained quantity is that objective's value
};

// "<= 2000", ">= 0.85" (spaces optional, any number strtod reads). InputError naming the quantity
// and the text otherwise.
OutcomeConstraint parse_constraint(const std::string& quantity, const std::string& text);
std::string to_string(const OutcomeConstraint& constraint);  // "joules <= 2000"

// Whether a measured value satisfies the constraint; a missing (non-finite) value does not.
bool is_satisfied(const OutcomeConstraint& constraint, double value);
// All constraints, values in the same order.
bool is_feasible(const std::vector<OutcomeConstraint>& constraints,
                 const std::vector<double>& values);

// log P(value satisfies `sense` against `bound`) for a Gaussian prediction (mean, sd) of the value;
// accurate far into the infeasible tail, so the product over constraints never underflows to 0.
double log_probability_of_feasibility(ConstraintSense sense, double bound, double mean, double sd);

}  // namespace greentune::tune
