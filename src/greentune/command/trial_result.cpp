// The adaptation to the trial record (tune/trial.hpp): everything else in this room speaks in
// CommandOutcome and StepReport.
#include <nlohmann/json.hpp>

#include "greentune/command/objective.hpp"

namespace greentune::command {

void send_report(tune::TrialContext& context, const StepReport& report) {
  if (report.values.empty()) return;
  context.report(static_cast<int>(report.step), report.values.front());
}

tune::ObjectiveResult to_objective_result(const CommandOutcome& outcome) {
  tune::ObjectiveResult result;
  if (outcome.complete()) {
    result.state = tune::TrialState::complete;
  } else if (outcome.ending == Ending::pruned) {
    result.state = tune::TrialState::pruned;
  } else {
    result.state = tune::TrialState::failed;
  }
  if (outcome.values && !outcome.values->empty()) {
    result.value = outcome.values->front();
    result.values.assign(outcome.values->begin() + 1, outcome.values->end());
  }
  if (result.state == tune::TrialState::failed) result.value.reset();
  result.seconds = outcome.seconds;
  nlohmann::json attrs = nlohmann::json::object();
  if (outcome.energy) {
    for (const auto& d : outcome.energy->domains) {
      result.energy.push_back({d.domain.name, d.domain.source, d.domain.kind, d.joules});
    }
    result.joules = outcome.energy->joules;
    const double busy = std::max(outcome.energy->machine_cpu_seconds, outcome.energy->cpu_seconds);
    if (busy > 0) attrs["cpu_share"] = outcome.energy->cpu_seconds / busy;
    attrs["energy_attribution"] = "cpu-time-share";
  }
  if (!outcome.failure.empty()) attrs["error"] = outcome.failure;
  if (result.state == tune::TrialState::failed) {
    attrs["retry"] = false;
    attrs["stderr_tail"] = outcome.stderr_tail;
  }
  if (outcome.ending == Ending::exited) attrs["exit_code"] = outcome.exit_code;
  if (outcome.ending == Ending::signalled) attrs["signal"] = outcome.signal;
  attrs["trial_dir"] = outcome.trial_dir.string();
  if (!outcome.gpu.empty()) attrs["gpu"] = outcome.gpu;
  result.attrs_json = attrs.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return result;
}

}  // namespace greentune::command
