#include "greentune/tune/progress_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "greentune/common/duration_text.hpp"

namespace greentune::tune {
namespace {

std::string value_text(const std::optional<double>& value) {
  return value ? fmt::format("{:.6g}", *value) : std::string("-");
}

}  // namespace

std::string trial_state_text(const Trial& trial) {
  if (trial.state != TrialState::pruned) return to_string(trial.state);
  int step = 0;
  for (const auto& report : trial.intermediate) step = std::max(step, report.step);
  return step > 0 ? fmt::format("pruned@{}", step) : std::string("pruned");
}

std::string energy_progress_text(const Progress& progress) {
  std::string text = fmt::format("joules {:>10.4g}", progress.joules);
  if (progress.budget.max_joules > 0) {
    text += fmt::format("/{:.4g}", progress.budget.max_joules);
    if (progress.budget_spent) text += " budget spent";
  }
  if (progress.budget.max_trial_joules > 0 && progress.trial != nullptr)
    text += fmt::format("  trial {:.4g}/{:.4g} J", spend_of(*progress.trial).joules,
                        progress.budget.max_trial_joules);
  if (progress.pruned > 0)
    text += fmt::format("  pruned {} ({:.4g} J)", progress.pruned, progress.pruned_joules);
  return text;
}

std::string tune_progress_line(const Progress& progress, int width) {
  const Trial* trial = progress.trial;
  std::string value = "-";
  if (trial != nullptr && trial->state == TrialState::complete) {
    std::vector<std::string> values;
    for (double v : trial->values) values.push_back(value_text(std::optional<double>(v)));
    if (!values.empty()) value = fmt::format("{}", fmt::join(values, ", "));
  } else if (trial != nullptr) {
    value = trial_state_text(*trial);
  }
  // Several objectives have no single best: the front so far and the hypervolume it covers.
  const std::string best = progress.front_size
                               ? fmt::format("front {:>3}  HV {:>10.4g}", *progress.front_size,
                                             progress.hypervolume.value_or(0))
                               : fmt::format("best {:>12}", value_text(progress.best));
  std::string line =
      fmt::format("round {:>{}}/{}  trial {:>{}}  value {:>12}  {}  {}  ETA {}", progress.round,
                  width, progress.rounds, trial != nullptr ? trial->number : 0, width, value, best,
                  energy_progress_text(progress), duration_text(progress.eta_seconds));
  if (trial != nullptr && trial->state == TrialState::failed && !trial->error.empty())
    line += fmt::format("  ({})", trial->error);
  return line;
}

}  // namespace greentune::tune
