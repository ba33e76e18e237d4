#pragma once
// What one tuning study reached and what it cost, both optimum rounds named: the figures the
// tuning section and the paper comparison put side by side.
#include <cmath>
#include <optional>
#include <vector>

#include "greentune/report/study_data.hpp"
#include "greentune/report/study_setup.hpp"

namespace greentune::report {

struct StudyOutcome {
  const StudyRecord* study = nullptr;
  StudySetup setup;
  int complete = 0;
  std::optional<double> best;
  const tune::Trial* best_trial = nullptr;
  double tolerance = 0;  // of the paper's definition
  // The rounds at which the study reached its optimum, as the trials' numbers (1-based, the
  // number every output prints): the paper's definition (first round within `tolerance` of the
  // final best) and the robust one (first round reaching 99 % of the final improvement).
  std::optional<int> optimum_round, robust_round;
  double joules_to_optimum = NAN, joules_to_robust = NAN;  // every round up to and including it
  double total_joules = 0;
  std::vector<double> joules_per_trial;  // of the completed trials
  // The best round's repetitions (values), when it was repeated.
  std::vector<double> best_repetitions;
};

// `default_tolerance` unless the study's config sets "tolerance".
StudyOutcome outcome_of(const StudyRecord& study, double default_tolerance);

// Per round in stored order: the value of a completed trial, nullopt otherwise.
std::vector<std::optional<double>> round_values(const StudyRecord& study);

// The values of a trial's repetitions (its one value when not repeated).
std::vector<double> repetition_values(const tune::Trial& trial);

}  // namespace greentune::report
