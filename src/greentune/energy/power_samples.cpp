#include "greentune/energy/power_samples.hpp"

#include <fmt/format.h>

#include "greentune/common/csv.hpp"

namespace greentune::energy {

std::string power_samples_csv(const std::vector<PowerSample>& samples,
                              const std::vector<DomainInfo>& domains) {
  std::vector<std::string> names;
  for (const auto& d : domains) names.push_back(csv_cell(d.name));
  std::string out = "time,domain,watts,joules\n";
  out.reserve(out.size() + samples.size() * 40);
  for (const auto& sample : samples) {
    const std::string& name = sample.domain < names.size() ? names[sample.domain] : "";
    out +=
        fmt::format("{:.6f},{},{:.6f},{:.6f}\n", sample.seconds, name, sample.watts, sample.joules);
  }
  return out;
}

}  // namespace greentune::energy
