// The adaptation to the trial record (tune/trial.hpp): everything else in this room speaks in
// CommandOutcome and StepReport.
#include <nlohmann/json.hpp>

#include "greentune/command/objective.hpp"

namespace greentune::command {

void send_report(tune::TrialContext& context, const StepReport& report) {
  tune::IntermediateReport stored;
  stored.step = static_cast<int>(report.step);
  stored.values = report.values;
  stored.seconds = report.seconds;
  stored.joules = report.joules;  // NaN when energy is not measured
  context.report(stored);
}

tune::Usage usage_of(const CommandOutcome& outcome) {
  tune::Usage usage;
  usage.seconds = outcome.seconds;
  if (outcome.energy) {
    usage.joules = outcome.energy->joules;
    for (const auto& d : outcome.energy->domains) {
      usage.energy.push_back({d.domain.name, d.domain.kind, d.domain.source, d.joules});
    }
  }
  return usage;
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
  if (outcome.values && result.state != tune::TrialState::failed) result.values = *outcome.values;
  const tune::Usage usage = usage_of(outcome);
  result.seconds = usage.seconds;
  result.energy = usage.energy;
  result.joules = usage.joules;
  result.error = outcome.failure;
  auto& attributes = result.attributes;
  if (outcome.energy) {
    const LedgerReading& e = *outcome.energy;
    const double busy = std::max(e.machine_cpu_seconds, e.cpu_seconds);
    if (busy > 0) result.conditions.cpu_share = e.cpu_seconds / busy;
    result.conditions.other_cpu_seconds = std::max(0.0, e.machine_cpu_seconds - e.cpu_seconds);
    // Machine-wide counters split between the trials running at once (energy_ledger.hpp).
    attributes["energy_attribution"] = "cpu-time-share";
  }
  if (result.state == tune::TrialState::failed) attributes["stderr_tail"] = outcome.stderr_tail;
  if (outcome.ending == Ending::exited) attributes["exit_code"] = outcome.exit_code;
  if (outcome.ending == Ending::signalled) attributes["signal"] = outcome.signal;
  attributes["trial_dir"] = outcome.trial_dir.string();
  if (!outcome.gpu.empty()) attributes["gpu"] = outcome.gpu;
  return result;
}

}  // namespace greentune::command
