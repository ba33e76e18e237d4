#pragma once
// The power time series a Monitor recorded (Monitor::start_recording), as CSV for plotting:
// `greentune measure --samples FILE`.
#include <string>
#include <vector>

#include "greentune/energy/monitor.hpp"

namespace greentune::energy {

// "time,domain,watts,joules" and one row per sample and domain, in time order: time in seconds
// since the recording started, the domain's name, its average watts since its previous sample
// and its joules since the recording started.
std::string power_samples_csv(const std::vector<PowerSample>& samples,
                              const std::vector<DomainInfo>& domains);

}  // namespace greentune::energy
