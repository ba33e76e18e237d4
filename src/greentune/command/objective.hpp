#pragma once
// The command objective: tune::Objective over run_command_trial, so a study (one worker or many)
// runs any program as its trials.
#include <memory>

#include "greentune/command/runner.hpp"
#include "greentune/common/error.hpp"
#include "greentune/tune/objective.hpp"

namespace greentune::command {

// Thrown out of the objective when the trial was stopped from outside (Ctrl-C, SIGTERM, another
// worker's fatal error): the study marks the trial failed and retryable, and the worker ends.
class Interrupted : public Error {
 public:
  using Error::Error;
};

tune::Objective make_command_objective(std::shared_ptr<const CommandRuntime> runtime);

// The two places that know the trial record's shape (trial_result.cpp): a step report as the
// TrialContext takes it, and the outcome as the study stores it.
void send_report(tune::TrialContext& context, const StepReport& report);
tune::ObjectiveResult to_objective_result(const CommandOutcome& outcome);
// The time and energy an outcome used, as a trial that ended without a result keeps them.
tune::Usage usage_of(const CommandOutcome& outcome);

}  // namespace greentune::command
