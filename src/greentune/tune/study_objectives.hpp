#pragma once
// What a study optimises and under which bounds: one direction per objective, the metrics the
// objectives are (metrics.hpp), outcome constraints and an optional hypervolume reference point.
// A study with one objective and no constraint is the classic single-objective study; anything
// else is judged by its Pareto front (front.hpp) and, with `bayes`, proposed by the
// multi-objective sampler (study_sampler.hpp).
//
// In a study config:
//   [study]
//   direction = ["maximize", "minimize"]   # one per metric; a string for one metric; default:
//                                          # accuracy maximised, everything else minimised
//   reference_point = [0.80, 3000]         # optional: the worst value of each objective worth
//                                          # having (hypervolume reference), objectives' units
//   [train]
//   metrics = ["accuracy", "joules"]       # the train objective: accuracy, joules, seconds,
//                                          # parameters (default ["accuracy"])
//   [constraints]
//   accuracy = ">= 0.85"                   # a metric, or joules, seconds (any objective), or
//   joules = "<= 2000"                     # accuracy, parameters (the train objective)
#include <string>
#include <vector>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "greentune/tune/constraints.hpp"
#include "greentune/tune/storage.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

struct StudyObjectives {
  std::vector<Direction> directions;  // one per objective
  std::vector<std::string> metrics;   // one per objective, in the objective's value order
  std::vector<OutcomeConstraint> constraints;
  std::vector<double> reference_point;  // one per objective; empty: inferred

  // Judged by a Pareto front rather than one best value.
  bool multi_objective() const { return directions.size() > 1; }
  bool constrained() const { return !constraints.empty(); }
};

// From a study config: [study] direction and reference_point, the objective's metrics (train:
// [train] metrics) and [constraints]. InputError naming the file and key on anything invalid: an
// unknown or repeated metric, as many directions as metrics, a constraint on a quantity the study
// does not have, a reference point of the wrong size.
StudyObjectives parse_objectives(const toml::table& root, const std::string& objective,
                                 const std::string& source);

// The metric list a StudyInfo keeps: empty when it is the objective's default (so a study
// written before metrics existed, or a config that spells the default out, is the same study).
std::vector<std::string> stored_metrics(const std::vector<std::string>& metrics,
                                        const std::string& objective);

// One per objective: the StudyInfo's directions, or {direction} when it has none (a StudyInfo
// built by code that predates several objectives).
std::vector<Direction> directions_of(const StudyInfo& info);
// The StudyInfo's metrics, or the objective's default ones.
std::vector<std::string> metrics_of(const StudyInfo& info);

// {"directions": [..], "metrics": [..], "constraints": {"joules": "<= 2000"}, "reference_point"}
// for a study's config_json.
nlohmann::json objectives_to_json(const StudyObjectives& objectives);

// A stored study's objectives: directions and metrics from the StudyInfo, constraints and the
// reference point from its config_json. Store contents are untrusted: constraints or a reference
// point that do not read are left out (the front is then judged without them) rather than
// failing the caller.
StudyObjectives objectives_of(const StudyInfo& info);

// Sets the constraint's objective index (when its quantity is one of `metrics`) and scale.
void bind_constraint(OutcomeConstraint& constraint, const std::vector<std::string>& metrics);

}  // namespace greentune::tune
