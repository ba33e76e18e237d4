#pragma once
// What a study's summary says about early stopping and energy budgets (the end of `greentune
// tune`, its --json output): the joules pruned trials used, the estimate of what pruning saved
// (budget.hpp: estimate_pruning_savings), and where the budgets stand.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "greentune/tune/budget.hpp"
#include "greentune/tune/pruner_config.hpp"

namespace greentune::tune {

// How the estimate was made, e.g. "36 epochs not run x 3.1e+03 J per epoch, the median of 8
// complete trials"; "" when there is no estimate.
std::string savings_basis_text(const PruningSavings& savings);

// Lines for people: nothing about pruning when no trial was pruned, nothing about a budget that
// is not set. `spent_joules`: the study's spend (study_joules_spent).
std::vector<std::string> energy_summary_lines(const PruningSavings& savings,
                                              const EnergyBudget& budget, double spent_joules);

// {"pruner": {...}, "pruned_trials", "pruned_joules", "pruned_steps_saved",
//  "estimated_saved_joules", "joules_per_step", "basis", "basis_trials", "estimate": true}
nlohmann::json pruning_json(const PruningSavings& savings, const PrunerConfig& pruner);

}  // namespace greentune::tune
