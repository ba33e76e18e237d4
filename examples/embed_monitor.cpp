// Embedding the energy Monitor in your own program: open whatever sources this machine has, wrap
// phases of the work in named windows, and print what each cost.
//
//   build/examples/example_embed_monitor [seconds-per-phase]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "greentune/energy/discovery.hpp"
#include "greentune/energy/monitor.hpp"

namespace {

// Work to measure: a numeric loop that keeps one core busy for about `seconds`.
double busy_loop(double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  double x = 0;
  while (std::chrono::steady_clock::now() < until) {
    for (int i = 1; i < 100000; ++i) x += std::sin(x + i) / i;
  }
  return x;
}

void print(const greentune::energy::Measurement& m) {
  std::printf("%-8s %6.2f s  %9.3f J  %7.3f W  %s  (%llu samples, %llu missed)\n", m.name.c_str(),
              m.seconds, m.total_joules, m.seconds > 0 ? m.total_joules / m.seconds : 0.0,
              m.any_estimated ? "estimated" : "measured",
              static_cast<unsigned long long>(m.samples),
              static_cast<unsigned long long>(m.missed_samples));
  for (const auto& d : m.domains) {
    std::printf("  %-10s %9.3f J  %7.3f W  [%s, %s]\n", d.info.name.c_str(), d.joules, d.watts,
                d.info.source.c_str(), greentune::energy::to_string(d.info.kind));
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace greentune::energy;
  const double phase = argc > 1 ? std::atof(argv[1]) : 1.0;
  if (!(phase > 0)) {
    std::fprintf(stderr, "usage: %s [seconds-per-phase > 0]\n", argv[0]);
    return 2;
  }
  // This process is the scope: where only the estimate works, it counts our own CPU time.
  EstimateOptions estimate;
  estimate.scope = EstimateScope::self;
  Monitor monitor(open_sources(SystemPaths::from_environment(), estimate), MonitorOptions{});

  monitor.begin("total");
  monitor.begin("warm-up");
  double sink = busy_loop(phase / 2);
  print(monitor.end("warm-up"));

  monitor.begin("work");
  sink += busy_loop(phase);
  const Measurement work = monitor.end("work");
  print(work);
  const Measurement total = monitor.end("total");
  print(total);
  std::printf("work: %.3g kWh, %.3g g CO2e at %.0f g/kWh, PUE %.2f\n", work.carbon.kwh,
              work.carbon.grams_co2e, work.carbon.grams_per_kwh, work.carbon.pue);
  return sink == 42.0 ? 1 : 0;  // keeps the loop from being optimised away
}
