#include "greentune/measured/measured_objective.hpp"

#include <cmath>
#include <string>

#include "greentune/measured/trial_energy.hpp"
#include "greentune/measured/trial_window.hpp"

namespace greentune::measured {
namespace {

// Passes everything to the study's context, filling in reports' time and joules from the window.
class MeasuredContext final : public tune::TrialContext {
 public:
  MeasuredContext(tune::TrialContext& inner, energy::Monitor& monitor, std::string window)
      : inner_(inner), monitor_(monitor), window_(std::move(window)) {}
  int number() const override { return inner_.number(); }
  const tune::Params& params() const override { return inner_.params(); }
  using tune::TrialContext::report;
  void report(const tune::IntermediateReport& report) override {
    tune::IntermediateReport filled = report;
    if (std::isnan(filled.seconds) || std::isnan(filled.joules)) {
      energy::Measurement so_far = monitor_.peek(window_);
      if (std::isnan(filled.seconds)) filled.seconds = so_far.seconds;
      if (std::isnan(filled.joules)) filled.joules = so_far.total_joules;
    }
    inner_.report(filled);
  }
  bool should_prune() const override { return inner_.should_prune(); }
  void set_usage_probe(tune::UsageProbe probe) override {
    inner_.set_usage_probe(std::move(probe));
  }

 private:
  tune::TrialContext& inner_;
  energy::Monitor& monitor_;
  std::string window_;
};

}  // namespace

tune::Objective measured(tune::Objective inner, energy::Monitor& monitor) {
  return [inner = std::move(inner), &monitor](const tune::Params& params,
                                              tune::TrialContext& context) {
    std::string name = "trial-" + std::to_string(context.number());
    TrialWindow window(&monitor, context, name);
    MeasuredContext wrapped(context, monitor, name);
    tune::ObjectiveResult result = inner(params, wrapped);
    energy::Measurement m = window.close();
    if (result.energy.empty()) {
      result.energy = trial_energy(m);
      result.joules = m.total_joules;  // subzones (core-0 inside package-0) are not added twice
    }
    if (result.seconds == 0) result.seconds = m.seconds;
    return result;
  };
}

}  // namespace greentune::measured
