#include "greentune/tune/objective.hpp"

#include <cmath>
#include <limits>

#include "greentune/tune/benchmarks.hpp"

namespace greentune::tune {

void TrialContext::report(int step, double value) {
  constexpr double unknown = std::numeric_limits<double>::quiet_NaN();
  report(IntermediateReport{step, {value}, unknown, unknown});
}

Objective benchmark_objective(const std::string& name) {
  benchmark_space(name);  // throws InputError naming an unknown objective now, not at round 1
  return [name](const Params& params, TrialContext&) {
    ObjectiveResult result;
    double value = benchmark_value(name, params);
    if (std::isfinite(value)) {
      result.values = {value};
    } else {
      result.state = TrialState::diverged;
      result.error = "the function's value is not finite";
    }
    return result;
  };
}

}  // namespace greentune::tune
