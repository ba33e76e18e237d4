#include "greentune/energy/run_series.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "greentune/common/error.hpp"

namespace greentune::energy {

Spread spread_of(std::vector<double> values) {
  Spread spread;
  spread.runs = values.size();
  if (values.empty()) return spread;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  spread.min = values.front();
  spread.max = values.back();
  spread.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  spread.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  if (n > 1) {
    double squares = 0;
    for (double v : values) squares += (v - spread.mean) * (v - spread.mean);
    spread.stddev = std::sqrt(squares / static_cast<double>(n - 1));
  }
  spread.relative_stddev = spread.mean != 0 ? spread.stddev / std::abs(spread.mean) : 0.0;
  return spread;
}

RunSeries summarize_runs(const std::vector<Measurement>& runs, const CarbonSettings& carbon) {
  if (runs.empty()) throw InputError("no runs to summarize");
  const size_t domain_count = runs.front().domains.size();
  for (const auto& run : runs) {
    if (run.domains.size() != domain_count) {
      throw InputError("runs with different energy domains cannot be summarized together");
    }
  }
  const auto n = static_cast<double>(runs.size());
  auto figure = [&](auto pick) {
    std::vector<double> values;
    for (const auto& run : runs) values.push_back(pick(run));
    return spread_of(std::move(values));
  };

  RunSeries series;
  series.seconds = figure([](const Measurement& m) { return m.seconds; });
  series.total_joules = figure([](const Measurement& m) { return m.total_joules; });
  Measurement& mean = series.mean;
  mean.name = "mean of " + std::to_string(runs.size()) + " runs";
  mean.seconds = series.seconds.mean;
  for (size_t i = 0; i < domain_count; ++i) {
    series.domains.emplace_back(runs.front().domains[i].info,
                                figure([i](const Measurement& m) { return m.domains[i].joules; }));
    DomainEnergy d;
    d.info = runs.front().domains[i].info;
    for (const auto& run : runs) {
      d.joules += run.domains[i].joules / n;
      d.idle_joules += run.domains[i].idle_joules / n;
      d.net_joules += run.domains[i].net_joules / n;
      d.wrap_may_be_missed |= run.domains[i].wrap_may_be_missed;
    }
    d.watts = mean.seconds > 0 ? d.joules / mean.seconds : 0.0;
    mean.domains.push_back(std::move(d));
  }
  for (const auto& run : runs) {
    mean.total_joules += run.total_joules / n;
    mean.idle_joules += run.idle_joules / n;
    mean.net_joules += run.net_joules / n;
    mean.any_estimated |= run.any_estimated;
    mean.samples += run.samples;
    mean.missed_samples += run.missed_samples;
    mean.wrap_may_be_missed |= run.wrap_may_be_missed;
    for (const auto& warning : run.warnings) {
      if (std::find(mean.warnings.begin(), mean.warnings.end(), warning) == mean.warnings.end()) {
        mean.warnings.push_back(warning);
      }
    }
  }
  mean.carbon = carbon_for(mean.total_joules, carbon);
  mean.net_carbon = carbon_for(mean.net_joules, carbon);
  return series;
}

}  // namespace greentune::energy
