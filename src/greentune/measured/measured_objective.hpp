#pragma once
// Wraps any objective in a Monitor window, so its trials carry joules per domain even when the
// objective itself measures nothing (benchmarks, user lambdas): the trial's energy, its
// intermediate reports' joules, and what an interrupted trial had used.
#include "greentune/energy/monitor.hpp"
#include "greentune/tune/objective.hpp"

namespace greentune::measured {

// The objective's own energy figures win; the window fills them in only where it gave none.
// `monitor` must outlive every trial run through the returned objective.
tune::Objective measured(tune::Objective inner, energy::Monitor& monitor);

}  // namespace greentune::measured
