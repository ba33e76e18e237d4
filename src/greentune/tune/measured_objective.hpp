#pragma once
// Wraps any objective in a Monitor window, so its trials carry joules per domain even when the
// objective itself measures nothing (benchmarks, user lambdas). Header-only: the tune room does
// not link the energy room; whoever builds a Monitor does.
#include <string>

#include "greentune/energy/monitor.hpp"
#include "greentune/tune/objective.hpp"

namespace greentune::tune {

inline std::vector<TrialEnergy> trial_energy_from(const energy::Measurement& measurement) {
  std::vector<TrialEnergy> out;
  for (const auto& d : measurement.domains) {
    out.push_back({d.info.name, d.info.source, energy::to_string(d.info.kind), d.joules});
  }
  return out;
}

// The objective's own energy figures win; the window fills them in only when it reported none.
inline Objective measured(Objective inner, energy::Monitor& monitor) {
  return [inner = std::move(inner), &monitor](const Params& params, TrialContext& context) {
    std::string window = "trial-" + std::to_string(context.number());
    monitor.begin(window);
    ObjectiveResult result;
    try {
      result = inner(params, context);
    } catch (...) {
      monitor.end(window);
      throw;
    }
    energy::Measurement m = monitor.end(window);
    if (result.energy.empty()) {
      result.energy = trial_energy_from(m);
      result.joules = m.total_joules;  // subzones (core-0 inside package-0) are not added twice
    }
    if (result.seconds == 0) result.seconds = m.seconds;
    return result;
  };
}

}  // namespace greentune::tune
