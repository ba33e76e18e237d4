// The progress line's parts and the summary lines about pruning and budgets, from hand-made
// figures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greentune/tune/progress_text.hpp"
#include "greentune/tune/pruning_summary.hpp"

namespace greentune::tune {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Trial trial_with(TrialState state, std::vector<int> steps, double joules) {
  Trial t;
  t.number = 7;
  t.state = state;
  t.joules = joules;
  for (int step : steps) t.intermediate.push_back({step, {0.5}, 1.0, joules});
  return t;
}

TEST(ProgressText, StateTextNamesTheStepAPrunedTrialStoppedAt) {
  EXPECT_EQ(trial_state_text(trial_with(TrialState::pruned, {1, 3}, 5)), "pruned@3");
  EXPECT_EQ(trial_state_text(trial_with(TrialState::pruned, {}, 0)), "pruned");
  EXPECT_EQ(trial_state_text(trial_with(TrialState::diverged, {1}, 5)), "diverged");
}

TEST(ProgressText, EnergyShowsBudgetsOnlyWhenSet) {
  const Trial trial = trial_with(TrialState::complete, {1, 2}, 812);
  Progress p;
  p.trial = &trial;
  p.joules = 1234;
  EXPECT_EQ(energy_progress_text(p), "joules       1234");
  p.budget.max_joules = 5e5;
  EXPECT_EQ(energy_progress_text(p), "joules       1234/5e+05");
  p.budget_spent = true;
  EXPECT_EQ(energy_progress_text(p), "joules       1234/5e+05 budget spent");
  p.budget_spent = false;
  p.budget.max_trial_joules = 2e4;
  p.pruned = 4;
  p.pruned_joules = 3100;
  EXPECT_EQ(energy_progress_text(p),
            "joules       1234/5e+05  trial 812/2e+04 J  pruned 4 (3100 J)");
}

TEST(ProgressText, TuneLineShowsAFailedTrialsReason) {
  Trial failed = trial_with(TrialState::failed, {1}, 30);
  failed.error = "energy budget: the trial used 30 J, more than max_trial_joules = 25 J";
  Progress p;
  p.round = 2;
  p.rounds = 10;
  p.trial = &failed;
  p.best = 0.875;
  p.joules = 50;
  p.eta_seconds = -1;
  EXPECT_EQ(tune_progress_line(p, 2),
            "round  2/10  trial  7  value       failed  best        0.875  joules         50  "
            "ETA ?  (energy budget: the trial used 30 J, more than max_trial_joules = 25 J)");
}

TEST(PruningSummary, LinesSayWhatPrunedTrialsUsedAndLabelTheSavingsAnEstimate) {
  PruningSavings savings;
  savings.pruned_trials = 3;
  savings.pruned_joules = 300;
  savings.pruned_steps_saved = 12;
  savings.joules_per_step = 95;
  savings.basis = SavingsBasis::complete_trials;
  savings.basis_trials = 5;
  savings.estimated_saved_joules = 1140;
  const auto lines = energy_summary_lines(savings, {1000, 0}, 1200);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "pruned: 3 trial(s) used 300 J; pruning saved about 1140 J (an estimate: 12 steps not "
            "run x 95 J per step, the median of 5 complete trials)");
  EXPECT_THAT(lines[1], HasSubstr("energy budget: 1200 J spent of max_joules = 1000 J; spent"));
  EXPECT_TRUE(energy_summary_lines({}, {}, 10).empty());  // nothing pruned, no budget
  const auto half = energy_summary_lines({}, {1000, 50}, 10);
  ASSERT_EQ(half.size(), 2u);
  EXPECT_THAT(half[0], Not(HasSubstr("; spent")));
  EXPECT_THAT(half[1], HasSubstr("max_trial_joules = 50 J"));
  const auto json = pruning_json(savings, PrunerConfig{PrunerKind::asha, 1, 9, 3, 5});
  EXPECT_EQ(json["estimate"], true);
  EXPECT_EQ(json["basis"], "complete trials");
  EXPECT_EQ(json["pruner"]["kind"], "asha");
  EXPECT_DOUBLE_EQ(json["estimated_saved_joules"].get<double>(), 1140);
}

TEST(PruningSummary, StudySpendCountsRunningTrialsByTheirLastReport) {
  std::vector<Trial> trials{trial_with(TrialState::complete, {1, 2, 3}, 30),
                            trial_with(TrialState::pruned, {1}, 10),
                            trial_with(TrialState::running, {1, 2}, 20)};
  trials[2].joules = 0;  // a running trial's own total is written when it finishes
  EXPECT_DOUBLE_EQ(spend_of(trials[2]).joules, 20);
  EXPECT_DOUBLE_EQ(study_joules_spent(trials), 60);
  // Full length 3: the pruned trial skipped 2 steps at the complete trial's 10 J per step.
  auto savings = estimate_pruning_savings(trials, 3);
  EXPECT_EQ(savings.pruned_steps_saved, 2);
  EXPECT_DOUBLE_EQ(savings.estimated_saved_joules, 20);
  // Unknown full length: nothing counts as saved.
  EXPECT_EQ(estimate_pruning_savings(trials, 0).pruned_steps_saved, 0);
}

}  // namespace
}  // namespace greentune::tune
