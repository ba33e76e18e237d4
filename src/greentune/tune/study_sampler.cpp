#include "greentune/tune/study_sampler.hpp"

#include <limits>

#include "greentune/tune/metrics.hpp"
#include "greentune/tune/multi_objective_sampler.hpp"

namespace greentune::tune {

std::unique_ptr<Sampler> make_study_sampler(const std::string& strategy,
                                            const SamplerOptions& options,
                                            const StudyObjectives& objectives) {
  if (strategy != "bayes" || (!objectives.multi_objective() && !objectives.constrained()))
    return make_sampler(strategy, options);
  MultiObjectiveOptions mo;
  mo.directions = objectives.directions;
  for (const auto& metric : objectives.metrics) mo.scales.push_back(metric_scale(metric));
  mo.constraints = objectives.constraints;
  mo.reference_point = objectives.reference_point;
  mo.read_outcomes = [objectives](const Trial& trial) {
    constexpr double missing = std::numeric_limits<double>::quiet_NaN();
    TrialOutcomes out;
    for (const auto& metric : objectives.metrics)
      out.objectives.push_back(metric_value(trial, metric, objectives.metrics).value_or(missing));
    for (const auto& c : objectives.constraints)
      out.constraints.push_back(
          metric_value(trial, c.quantity, objectives.metrics).value_or(missing));
    return out;
  };
  return std::make_unique<MultiObjectiveSampler>(options, std::move(mo));
}

}  // namespace greentune::tune
