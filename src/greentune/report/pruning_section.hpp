#pragma once
// The report's section on early stopping and energy budgets: for every study that prunes, pruned
// a trial or has a budget, what its pruned trials used, the estimate of the joules pruning saved
// (tune/budget.hpp: estimate_pruning_savings, labelled an estimate) and where its budgets stand.
// From the store alone, like the rest of the report.
#include <string>
#include <vector>

#include "greentune/report/study_data.hpp"

namespace greentune::report {

// One study's figures, as the section shows them.
struct PruningRow {
  std::string study;
  std::string pruner;  // "asha (min_step 1, max_step 9, reduction 3)", or "none"
  int trials = 0, complete = 0, pruned = 0, budget_failed = 0;
  double joules = 0;         // all the study's trials
  double pruned_joules = 0;  // used by its pruned trials
  double estimated_saved_joules = 0;
  std::string estimate_basis;  // "" : no estimate
  double max_joules = 0, max_trial_joules = 0;
};

// The studies the section is about (none: the section is left out).
std::vector<PruningRow> pruning_rows(const std::vector<StudyRecord>& studies);

// The section's HTML; "" when no study prunes, pruned or has a budget.
std::string pruning_section_html(const std::vector<StudyRecord>& studies);

}  // namespace greentune::report
