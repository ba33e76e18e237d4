#include "greentune/tune/budget.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace greentune::tune {
namespace {

constexpr auto complete = TrialState::complete;
constexpr auto running = TrialState::running;
constexpr auto pruned = TrialState::pruned;
constexpr auto failed = TrialState::failed;

TEST(StudyBudgetTest, SpentCountsEveryTrialRunningOnesIncluded) {
  const std::vector<TrialSpend> trials = {
      {complete, 100}, {failed, 20}, {pruned, 30}, {running, 50}};
  EXPECT_DOUBLE_EQ(study_joules_spent(trials), 200);
}

TEST(StudyBudgetTest, ACorruptFigureDoesNotPoisonTheSum) {
  EXPECT_DOUBLE_EQ(study_joules_spent({{complete, 100}, {complete, NAN}, {running, -5}}), 100);
}

TEST(StudyBudgetTest, IsSpentWhenTheSpendReachesTheBudget) {
  const EnergyBudget budget{/*max_joules=*/200, /*max_trial_joules=*/0};
  EXPECT_FALSE(study_budget_spent(budget, 199.9));
  EXPECT_TRUE(study_budget_spent(budget, 200));
  EXPECT_TRUE(study_budget_spent(budget, 250));
  EXPECT_FALSE(study_budget_spent(EnergyBudget{}, 1e12));  // no budget
}

TEST(RunningTrialBudgetTest, ATrialPastItsOwnBudgetFailsWithoutRetry) {
  const EnergyBudget budget{0, /*max_trial_joules=*/100};
  EXPECT_EQ(check_running_trial(budget, 1e9, 100).stop, BudgetStop::none);  // not past it yet
  const auto verdict = check_running_trial(budget, 1e9, 100.5);
  EXPECT_EQ(verdict.stop, BudgetStop::trial_budget);
  EXPECT_FALSE(verdict.retry);
  EXPECT_EQ(verdict.reason.rfind("energy budget", 0), 0u) << verdict.reason;
  EXPECT_NE(verdict.reason.find("max_trial_joules = 100 J"), std::string::npos) << verdict.reason;
}

TEST(RunningTrialBudgetTest, RunningTrialsStopWhenTheStudyBudgetIsSpentAndAreRetried) {
  const EnergyBudget budget{/*max_joules=*/1000, 0};
  EXPECT_EQ(check_running_trial(budget, 999, 10).stop, BudgetStop::none);
  const auto verdict = check_running_trial(budget, 1000, 10);
  EXPECT_EQ(verdict.stop, BudgetStop::study_budget);
  EXPECT_TRUE(verdict.retry);
  EXPECT_NE(verdict.reason.find("max_joules = 1000 J"), std::string::npos) << verdict.reason;
}

TEST(RunningTrialBudgetTest, TheTrialBudgetIsCheckedFirst) {
  const EnergyBudget budget{1000, 100};
  EXPECT_EQ(check_running_trial(budget, 5000, 150).stop, BudgetStop::trial_budget);
  EXPECT_EQ(check_running_trial(EnergyBudget{}, 5000, 150).stop, BudgetStop::none);
}

// Worked example, full length 10 steps.
//   complete: 100 J / 10 = 10 J/step, 300 J / 10 = 30, 200 J / 10 = 20 -> median 20 J/step
//   pruned:   stopped at step 1 (12 J): 9 steps saved; at step 3 (50 J): 7 steps saved
//   estimate: (9 + 7) * 20 = 320 J; spent on the pruned trials: 62 J
TEST(PruningSavingsTest, PricesTheStepsNotRunAtTheCompleteTrialsMedianRate) {
  const std::vector<TrialCost> trials = {{complete, 10, 10, 100}, {complete, 10, 10, 300},
                                         {complete, 10, 10, 200}, {pruned, 1, 10, 12},
                                         {pruned, 3, 10, 50},     {running, 4, 10, 1000},
                                         {failed, 2, 10, 5000}};
  const auto s = estimate_pruning_savings(trials);
  EXPECT_EQ(s.pruned_trials, 2);
  EXPECT_DOUBLE_EQ(s.pruned_joules, 62);
  EXPECT_EQ(s.pruned_steps_saved, 16);
  EXPECT_EQ(s.basis, SavingsBasis::complete_trials);
  EXPECT_EQ(s.basis_trials, 3);
  EXPECT_DOUBLE_EQ(s.joules_per_step, 20);
  EXPECT_DOUBLE_EQ(s.estimated_saved_joules, 320);
  EXPECT_STREQ(to_string(s.basis), "complete trials");
}

TEST(PruningSavingsTest, AnEvenCountOfCompleteTrialsTakesTheMiddleMean) {
  // 10 and 30 J/step -> 20; one pruned trial 5 steps short -> 100 J.
  const auto s = estimate_pruning_savings(
      {{complete, 10, 10, 100}, {complete, 10, 10, 300}, {pruned, 5, 10, 1}});
  EXPECT_DOUBLE_EQ(s.estimated_saved_joules, 100);
}

TEST(PruningSavingsTest, WithoutCompleteTrialsUsesThePrunedTrialsOwnRate) {
  // Own rates 12/1 = 12 and 50/3 = 16.67 -> median 14.33 J/step; 16 steps saved -> 229.3 J.
  const auto s = estimate_pruning_savings({{pruned, 1, 10, 12}, {pruned, 3, 10, 50}});
  EXPECT_EQ(s.basis, SavingsBasis::pruned_trials);
  EXPECT_EQ(s.basis_trials, 2);
  EXPECT_NEAR(s.joules_per_step, (12.0 + 50.0 / 3) / 2, 1e-12);
  EXPECT_NEAR(s.estimated_saved_joules, 16 * (12.0 + 50.0 / 3) / 2, 1e-9);
}

TEST(PruningSavingsTest, NoRateMeansNoEstimate) {
  // A pruned trial with no report (0 steps) and no complete trial: nothing to price with.
  const auto s = estimate_pruning_savings({{pruned, 0, 10, 3}});
  EXPECT_EQ(s.basis, SavingsBasis::none);
  EXPECT_EQ(s.pruned_trials, 1);
  EXPECT_DOUBLE_EQ(s.pruned_joules, 3);
  EXPECT_DOUBLE_EQ(s.estimated_saved_joules, 0);
  EXPECT_STREQ(to_string(s.basis), "none");
}

TEST(PruningSavingsTest, NoPrunedTrialsSaveNothing) {
  const auto s = estimate_pruning_savings({{complete, 10, 10, 100}});
  EXPECT_EQ(s.pruned_trials, 0);
  EXPECT_EQ(s.basis, SavingsBasis::none);
  EXPECT_DOUBLE_EQ(s.estimated_saved_joules, 0);
}

TEST(PruningSavingsTest, ATrialPrunedAtOrPastItsFullLengthSavesNothing) {
  const auto s = estimate_pruning_savings(
      {{complete, 10, 10, 100}, {pruned, 10, 10, 100}, {pruned, 12, 10, 100}});
  EXPECT_EQ(s.pruned_steps_saved, 0);
  EXPECT_DOUBLE_EQ(s.estimated_saved_joules, 0);
}

TEST(PruningSavingsTest, CompleteTrialsWithoutReportsOrJoulesAreNotARate) {
  // The second complete trial has no steps, the third NaN joules: the rate is the first's, 10.
  const auto s = estimate_pruning_savings({{complete, 10, 10, 100},
                                           {complete, 0, 10, 999},
                                           {complete, 10, 10, NAN},
                                           {pruned, 8, 10, 80}});
  EXPECT_EQ(s.basis_trials, 1);
  EXPECT_DOUBLE_EQ(s.estimated_saved_joules, 20);
}

TEST(PruningSavingsTest, TrialCostReadsTheLastStepAndJoules) {
  Trial t;
  t.state = pruned;
  t.intermediate = {{1, {0.5}, 1, 10}, {3, {0.6}, 3, 30}, {2, {0.55}, 2, 20}};
  t.joules = 42;
  const auto cost = trial_cost(t, 20);
  EXPECT_EQ(cost.steps_done, 3);
  EXPECT_EQ(cost.full_steps, 20);
  EXPECT_DOUBLE_EQ(cost.joules, 42);
  EXPECT_EQ(cost.state, pruned);
}

}  // namespace
}  // namespace greentune::tune
