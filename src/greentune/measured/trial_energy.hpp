#pragma once
// Where an energy::Measurement becomes a trial's energy: the one place that sees both the energy
// room and the trial record (tune knows nothing of energy, and energy nothing of trials).
#include <vector>

#include "greentune/energy/monitor.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::measured {

// Adds the window's joules per domain to `total` (summing a domain already there, appending new
// ones in the window's order).
void add_energy(std::vector<tune::DomainEnergy>& total, const energy::Measurement& window);

// One window as a trial's energy per domain.
std::vector<tune::DomainEnergy> trial_energy(const energy::Measurement& window);

// What a trial measured by this window had used: its seconds, total joules (subzones such as
// core-0 inside package-0 are not added twice) and domains.
tune::Usage usage_of(const energy::Measurement& window);

}  // namespace greentune::measured
