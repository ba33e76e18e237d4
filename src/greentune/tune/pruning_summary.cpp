#include "greentune/tune/pruning_summary.hpp"

#include <fmt/format.h>

namespace greentune::tune {

std::string savings_basis_text(const PruningSavings& savings) {
  if (savings.basis == SavingsBasis::none) return "";
  return fmt::format("{} steps not run x {:.4g} J per step, the median of {} {}",
                     savings.pruned_steps_saved, savings.joules_per_step, savings.basis_trials,
                     to_string(savings.basis));
}

std::vector<std::string> energy_summary_lines(const PruningSavings& savings,
                                              const EnergyBudget& budget, double spent_joules) {
  std::vector<std::string> lines;
  if (savings.pruned_trials > 0) {
    std::string saved =
        savings.basis == SavingsBasis::none
            ? std::string("no estimate of the joules saved (no trial has both steps and joules)")
            : fmt::format("pruning saved about {:.4g} J (an estimate: {})",
                          savings.estimated_saved_joules, savings_basis_text(savings));
    lines.push_back(fmt::format("pruned: {} trial(s) used {:.4g} J; {}", savings.pruned_trials,
                                savings.pruned_joules, saved));
  }
  if (budget.max_joules > 0) {
    const bool spent = study_budget_spent(budget, spent_joules);
    lines.push_back(fmt::format(
        "energy budget: {:.4g} J spent of max_joules = {:.4g} J{}", spent_joules, budget.max_joules,
        spent ? "; spent, so no further trial starts (a larger max_joules continues the study)"
              : ""));
  }
  if (budget.max_trial_joules > 0)
    lines.push_back(fmt::format(
        "trial budget: max_trial_joules = {:.4g} J (a trial that goes past it fails with \"energy "
        "budget\")",
        budget.max_trial_joules));
  return lines;
}

nlohmann::json pruning_json(const PruningSavings& savings, const PrunerConfig& pruner) {
  return {{"pruner", pruner_config_to_json(pruner)},
          {"pruned_trials", savings.pruned_trials},
          {"pruned_joules", savings.pruned_joules},
          {"pruned_steps_saved", savings.pruned_steps_saved},
          {"estimated_saved_joules", savings.estimated_saved_joules},
          {"joules_per_step", savings.joules_per_step},
          {"basis", to_string(savings.basis)},
          {"basis_trials", savings.basis_trials},
          {"estimate", true}};
}

}  // namespace greentune::tune
