#include "greentune/command/objective.hpp"

namespace greentune::command {

tune::Objective make_command_objective(std::shared_ptr<const CommandRuntime> runtime) {
  return [runtime](const tune::Params& params, tune::TrialContext& context) {
    CommandOutcome outcome =
        run_command_trial(*runtime, params, context.number(), [&](const StepReport& report) {
          send_report(context, report);
          return context.should_prune();
        });
    if (outcome.ending == Ending::interrupted) {
      // The study fails the trial (retryable) from the exception, with what this probe says.
      context.set_usage_probe([usage = usage_of(outcome)] { return usage; });
      throw Interrupted(outcome.failure);
    }
    return to_objective_result(outcome);
  };
}

}  // namespace greentune::command
