#include "greentune/tune/objective.hpp"

#include <algorithm>
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
    auto values = benchmark_values(name, params);
    if (std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); })) {
      result.values = std::move(values);
    } else {
      result.state = TrialState::diverged;
      result.error = "the function's value is not finite";
    }
    return result;
  };
}

}  // namespace greentune::tune
