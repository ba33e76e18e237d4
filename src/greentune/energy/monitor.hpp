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
  // The counter advanced more than half its range between two reads in this window: faster than
  // its source said it could, so a whole wrap may have passed unseen and joules may be too low.
  bool wrap_may_be_missed = false;
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
  CarbonFigures carbon;               // from total_joules
  CarbonFigures net_carbon;           // from net_joules (equal to carbon without a baseline)
  bool wrap_may_be_missed = false;    // any domain's wrap_may_be_missed
  std::vector<std::string> warnings;  // one line per doubt about these figures, for users
};

// One point of the power time series (Monitor::start_recording).
struct PowerSample {
  double seconds = 0;  // since start_recording()
  size_t domain = 0;   // index into Monitor::domains()
  double watts = 0;    // average power since this domain's previous sample
  double joules = 0;   // energy of the domain since start_recording()
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
  // The sampling period used now: the option, shortened to the sources' limits, and shortened
  // further when a wrapping counter is seen to advance faster than its source said it could (so
  // that the fastest step seen would cover a quarter of the counter's range).
  std::chrono::milliseconds interval() const;

  // Records the power time series from now on: at every sampler tick and window boundary, one
  // PowerSample per domain whose read succeeded. Costs nothing while not recording. Starting again
  // discards what was recorded.
  void start_recording();
  // Stops recording and hands over the samples, in time order.
  std::vector<PowerSample> stop_recording();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace greentune::energy
