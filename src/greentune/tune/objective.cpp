#include "greentune/tune/objective.hpp"

#include <cmath>

#include "greentune/tune/benchmarks.hpp"

namespace greentune::tune {

Objective benchmark_objective(const std::string& name) {
  benchmark_space(name);  // throws InputError naming an unknown objective now, not at round 1
  return [name](const Params& params, TrialContext&) {
    ObjectiveResult result;
    double value = benchmark_value(name, params);
    if (std::isfinite(value)) {
      result.value = value;
    } else {
      result.state = TrialState::diverged;
    }
    return result;
  };
}

}  // namespace greentune::tune
