#pragma once
// The Monitor: one sampler thread over all open sources, 64-bit totals across counter wraps, and
// named, nestable measurement windows:
//
//   Monitor monitor(open_sources(SystemPaths::from_environment(), {}), {});
//   monitor.begin("epoch-3");  ...  Measurement m = monitor.end("epoch-3");
//
// Energy between two boundaries comes from counter reads taken at those boundaries.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greentune/energy/carbon.hpp"
#include "greentune/energy/source.hpp"

namespace greentune::energy {

struct DomainEnergy {
  DomainInfo info;
  double joules = 0;       // gross
  double watts = 0;        // joules / seconds
  double idle_joules = 0;  // idle baseline power x seconds (0 without a baseline)
  double net_joules = 0;   // joules - idle_joules, never below 0
};

struct Measurement {
  std::string name;
  double seconds = 0;
  std::vector<DomainEnergy> domains;
  double total_joules = 0;  // sum over domains, gross
  double idle_joules = 0;
  double net_joules = 0;
  bool any_estimated = false;  // true when at least one domain is estimated
  uint64_t samples = 0;
  uint64_t missed_samples = 0;
  CarbonFigures carbon;      // from total_joules
  CarbonFigures net_carbon;  // from net_joules (equal to carbon without a baseline)
};

struct MonitorOptions {
  // Upper bound on the time between samples; the Monitor samples faster when a source's
  // max_read_interval() is shorter. Must be > 0.
  std::chrono::milliseconds interval{100};
  double idle_seconds = 0;  // > 0: measure an idle baseline this long at start-up
  CarbonSettings carbon;
};

class Monitor {
 public:
  Monitor(std::vector<std::unique_ptr<Source>> sources, MonitorOptions options);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Windows nest and may overlap; names must be unique among open windows (InputError otherwise).
  void begin(const std::string& name);
  Measurement end(const std::string& name);
  // The window so far, without closing it.
  Measurement peek(const std::string& name) const;

  std::vector<DomainInfo> domains() const;
  // Idle power per domain (W) from the baseline; empty without one.
  std::vector<double> idle_watts() const;
  // The sampling period actually used (the option, shortened to the sources' limits).
  std::chrono::milliseconds interval() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace greentune::energy
