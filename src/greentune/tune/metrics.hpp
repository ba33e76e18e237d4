#pragma once
// The quantities a study can optimise (its metrics, one per objective) or constrain, by name.
// "joules" and "seconds" are greentune's own measurement of a trial, whatever the objective;
// "accuracy" (best validation accuracy) and "parameters" (the network's parameter count) come
// from the train objective's record. Other names are an objective's own values: "value" for a
// single-valued objective, "f1", "f2" for the multi-objective benchmarks, or what a user's
// objective names.
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/constraints.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

// What the train objective can report: accuracy, joules, seconds, parameters.
const std::vector<std::string>& train_metrics();

// The metrics an objective reports when the study names none: {"accuracy"} for train, {"f1",
// "f2"} for zdt1, zdt2 and dtlz2, {"value"} otherwise.
std::vector<std::string> default_metrics(const std::string& objective);

// Which way a metric is better when the study does not say: accuracy is maximised, everything
// else (energy, time, size, a benchmark's value) minimised.
Direction natural_direction(const std::string& metric);
// A command's own metric without a [study] direction: greentune's costs (joules, seconds) and a
// metric named loss or error are minimised; anything else (accuracy, f1, ...) is maximised, as a
// single-objective command study always was.
Direction command_direction(const std::string& metric);

// joules, seconds and parameters span orders of magnitude and are positive: models see their
// logarithm. Everything else is modelled as it is.
ValueScale metric_scale(const std::string& metric);

// The trial's value of `metric`: the objective's value when the study optimises it (`metrics`
// are the study's, in order), else the record's own field (joules, seconds, accuracy,
// parameters). nullopt when the trial has none (not complete, not measured, not a training run).
std::optional<double> metric_value(const Trial& trial, const std::string& metric,
                                   const std::vector<std::string>& metrics);

}  // namespace greentune::tune
