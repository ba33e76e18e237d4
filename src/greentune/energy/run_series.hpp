#pragma once
// A command measured several times (`greentune measure --runs N`): the spread of its seconds and
// joules over the runs, as `perf stat -r` and hyperfine report them, and the mean run.
#include <string>
#include <utility>
#include <vector>

#include "greentune/energy/carbon.hpp"
#include "greentune/energy/monitor.hpp"

namespace greentune::energy {

struct Spread {
  size_t runs = 0;
  double min = 0;
  double median = 0;  // the middle value; the mean of the two middle values for an even count
  double max = 0;
  double mean = 0;
  double stddev = 0;           // sample standard deviation (divides by runs - 1); 0 for one run
  double relative_stddev = 0;  // stddev / mean; 0 when the mean is 0
  bool has_spread() const { return runs > 1; }
};

// The spread of `values`; runs = 0 (and zeros) for none.
Spread spread_of(std::vector<double> values);

struct RunSeries {
  Spread seconds;
  Spread total_joules;
  std::vector<std::pair<DomainInfo, Spread>> domains;  // gross joules, in the runs' domain order
  // The mean run: mean seconds and joules (gross, idle, net) per domain and in total, watts as
  // mean joules / mean seconds, samples and missed samples summed over the runs, carbon from the
  // mean joules, estimated and wrap flags and warnings from any run.
  Measurement mean;
};

// Every run must have the same domains (one Monitor measured them all); InputError otherwise or
// when `runs` is empty.
RunSeries summarize_runs(const std::vector<Measurement>& runs, const CarbonSettings& carbon);

}  // namespace greentune::energy
