#pragma once
// Energy budgets and the joules pruning saved: pure arithmetic over what the store holds, so every
// worker of a study reaches the same verdict.
//
// Study budget (`[study] max_joules`): the study has spent its budget when the joules of all its
// trials, failed ones and the running trials' joules so far included, reach max_joules. Then no
// trial starts, and the running trials stop at their next report (failed with "retry": true, so a
// study resumed with a larger budget runs their points again). Stopping, rather than letting them
// finish, keeps the budget a cap: it is overshot by at most one step per running trial.
//
// Trial budget (`[study] max_trial_joules`): a trial that goes past it stops at its next report,
// failed with reason "energy budget" and no retry (the point itself costs too much).
//
// Joules saved by pruning (an estimate, labelled so): for each pruned trial, the steps it did not
// run times a joules-per-step rate. The rate is the median of the complete trials' joules per step
// (their joules over their steps); the median, because one configuration with a large batch or
// model should not set the price of all. With no complete trial yet it falls back to the median
// of the pruned trials' own joules per step (basis "pruned trials"), and with neither there is no
// estimate (basis "none", 0 J).
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/trial.hpp"

namespace greentune::tune {

struct EnergyBudget {
  double max_joules = 0;        // the whole study; 0: no budget
  double max_trial_joules = 0;  // one trial; 0: no budget
};

// What one trial has cost so far.
struct TrialSpend {
  TrialState state = TrialState::running;
  double joules = 0;  // a finished trial's total; a running one's joules so far
};

// All joules the study has spent, running trials' joules so far included.
double study_joules_spent(const std::vector<TrialSpend>& trials);
// What a stored trial has cost so far: a finished trial's joules; a running trial's, as its
// last intermediate report says (its own total is only written when it finishes).
TrialSpend spend_of(const Trial& trial);
// The study's spend from its trials as the store holds them (every worker computes the same).
double study_joules_spent(const std::vector<Trial>& trials);
// True when a study budget is set and `spent_joules` has reached it: start no further trial.
bool study_budget_spent(const EnergyBudget& budget, double spent_joules);

enum class BudgetStop { none, study_budget, trial_budget };

struct BudgetVerdict {
  BudgetStop stop = BudgetStop::none;
  bool retry = false;  // tell_failed's retry: true for the study budget (the point is not to blame)
  std::string reason;  // the failed trial's error text; "" when it continues
};

// Asked at each report of a running trial: should it stop for energy? `study_spent_joules` counts
// every trial of the study (this one's joules so far included); `trial_joules` is this trial's.
// The trial budget is checked first: a trial past its own budget fails for that, even when the
// study budget is spent too.
BudgetVerdict check_running_trial(const EnergyBudget& budget, double study_spent_joules,
                                  double trial_joules);

// One trial as the savings estimate sees it.
struct TrialCost {
  TrialState state = TrialState::running;
  int steps_done = 0;  // its last reported step (steps count from 1)
  int full_steps = 0;  // the steps it would have run unpruned (the epochs)
  double joules = 0;
};
TrialCost trial_cost(const Trial& trial, int full_steps);

enum class SavingsBasis { none, complete_trials, pruned_trials };
const char* to_string(SavingsBasis basis);  // "none" | "complete trials" | "pruned trials"

struct PruningSavings {
  int pruned_trials = 0;
  double pruned_joules = 0;    // measured: what the pruned trials used
  int pruned_steps_saved = 0;  // steps the pruned trials did not run
  double joules_per_step = 0;  // the rate of the estimate (0 with basis none)
  SavingsBasis basis = SavingsBasis::none;
  int basis_trials = 0;               // trials the rate is the median of
  double estimated_saved_joules = 0;  // an estimate: steps saved * joules_per_step
};

PruningSavings estimate_pruning_savings(const std::vector<TrialCost>& trials);
// The same from a study's trials, each trial's full length being `full_steps` (the pruner's
// max_step); with full_steps 0 (unknown) no step counts as saved.
PruningSavings estimate_pruning_savings(const std::vector<Trial>& trials, int full_steps);

}  // namespace greentune::tune
