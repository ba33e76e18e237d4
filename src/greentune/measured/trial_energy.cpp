#include "greentune/measured/trial_energy.hpp"

#include <algorithm>

namespace greentune::measured {

void add_energy(std::vector<tune::DomainEnergy>& total, const energy::Measurement& window) {
  for (const auto& d : window.domains) {
    auto it = std::find_if(total.begin(), total.end(),
                           [&](const tune::DomainEnergy& e) { return e.name == d.info.name; });
    if (it == total.end()) {
      total.push_back({d.info.name, energy::to_string(d.info.kind), d.info.source, d.joules});
    } else {
      it->joules += d.joules;
    }
  }
}

std::vector<tune::DomainEnergy> trial_energy(const energy::Measurement& window) {
  std::vector<tune::DomainEnergy> out;
  add_energy(out, window);
  return out;
}

tune::Usage usage_of(const energy::Measurement& window) {
  return {window.seconds, window.total_joules, trial_energy(window)};
}

}  // namespace greentune::measured
