#pragma once
// The sampler a study's objectives call for: `bayes` with several objectives or with constraints
// is the multi-objective sampler (multi_objective_sampler.hpp: EHVI times the probability of
// feasibility; one direction and constraints is constrained log EI), reading each trial's
// objectives and constrained quantities by metric name (metrics.hpp); joules, seconds and
// parameter counts are modelled on a log scale. Every other strategy, and `bayes` for one
// unconstrained objective, is make_sampler's: grid and random search ignore the objectives.
#include <memory>
#include <string>

#include "greentune/tune/sampler.hpp"
#include "greentune/tune/samplers.hpp"
#include "greentune/tune/study_objectives.hpp"

namespace greentune::tune {

std::unique_ptr<Sampler> make_study_sampler(const std::string& strategy,
                                            const SamplerOptions& options,
                                            const StudyObjectives& objectives);

}  // namespace greentune::tune
