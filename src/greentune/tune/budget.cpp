#include "greentune/tune/budget.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "greentune/tune/pruner.hpp"

namespace greentune::tune {

namespace {

bool usable(double joules) {
  return std::isfinite(joules) && joules >= 0;
}

// Joules per step of the trials in `state` that have both steps and usable joules.
std::vector<double> rates(const std::vector<TrialCost>& trials, TrialState state) {
  std::vector<double> out;
  for (const auto& t : trials)
    if (t.state == state && t.steps_done > 0 && usable(t.joules))
      out.push_back(t.joules / t.steps_done);
  return out;
}

}  // namespace

double study_joules_spent(const std::vector<TrialSpend>& trials) {
  double total = 0;
  for (const auto& t : trials)
    if (usable(t.joules)) total += t.joules;  // a corrupt figure must not poison the whole sum
  return total;
}

TrialSpend spend_of(const Trial& trial) {
  if (trial.state == TrialState::running) return {trial.state, usage_from_reports(trial).joules};
  return {trial.state, trial.joules};
}

double study_joules_spent(const std::vector<Trial>& trials) {
  std::vector<TrialSpend> spends;
  spends.reserve(trials.size());
  for (const auto& t : trials) spends.push_back(spend_of(t));
  return study_joules_spent(spends);
}

bool study_budget_spent(const EnergyBudget& budget, double spent_joules) {
  return budget.max_joules > 0 && spent_joules >= budget.max_joules;
}

BudgetVerdict check_running_trial(const EnergyBudget& budget, double study_spent_joules,
                                  double trial_joules) {
  if (budget.max_trial_joules > 0 && trial_joules > budget.max_trial_joules)
    return {BudgetStop::trial_budget, false,
            fmt::format("energy budget: the trial used {:.6g} J, more than max_trial_joules = "
                        "{:.6g} J",
                        trial_joules, budget.max_trial_joules)};
  if (study_budget_spent(budget, study_spent_joules))
    return {BudgetStop::study_budget, true,
            fmt::format("study energy budget: {:.6g} J spent of max_joules = {:.6g} J",
                        study_spent_joules, budget.max_joules)};
  return {};
}

TrialCost trial_cost(const Trial& trial, int full_steps) {
  int steps = 0;
  for (const auto& report : trial.intermediate) steps = std::max(steps, report.step);
  return {trial.state, steps, full_steps, trial.joules};
}

const char* to_string(SavingsBasis basis) {
  switch (basis) {
    case SavingsBasis::complete_trials:
      return "complete trials";
    case SavingsBasis::pruned_trials:
      return "pruned trials";
    case SavingsBasis::none:
      break;
  }
  return "none";
}

PruningSavings estimate_pruning_savings(const std::vector<TrialCost>& trials) {
  PruningSavings savings;
  for (const auto& t : trials) {
    if (t.state != TrialState::pruned) continue;
    ++savings.pruned_trials;
    if (usable(t.joules)) savings.pruned_joules += t.joules;
    savings.pruned_steps_saved += std::max(0, t.full_steps - t.steps_done);
  }
  if (savings.pruned_trials == 0) return savings;
  auto rate = rates(trials, TrialState::complete);
  savings.basis = SavingsBasis::complete_trials;
  if (rate.empty()) {
    rate = rates(trials, TrialState::pruned);
    savings.basis = SavingsBasis::pruned_trials;
  }
  if (rate.empty()) {
    savings.basis = SavingsBasis::none;
    return savings;
  }
  savings.basis_trials = static_cast<int>(rate.size());
  savings.joules_per_step = median(std::move(rate));
  savings.estimated_saved_joules = savings.pruned_steps_saved * savings.joules_per_step;
  return savings;
}

PruningSavings estimate_pruning_savings(const std::vector<Trial>& trials, int full_steps) {
  std::vector<TrialCost> costs;
  costs.reserve(trials.size());
  for (const auto& t : trials) {
    TrialCost cost = trial_cost(t, full_steps);
    // Unknown full length: count nothing as saved rather than a negative or invented figure.
    if (full_steps <= 0) cost.full_steps = cost.steps_done;
    costs.push_back(cost);
  }
  return estimate_pruning_savings(costs);
}

}  // namespace greentune::tune
