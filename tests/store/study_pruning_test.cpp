// Early stopping and energy budgets wired into the Study, over a real SQLite store, with fake
// objectives that report hand-made learning curves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include "greentune/common/error.hpp"
#include "greentune/store/sqlite_storage.hpp"
#include "greentune/tune/asha_pruner.hpp"
#include "greentune/tune/progress_text.hpp"
#include "greentune/tune/study.hpp"
#include "store/store_test_support.hpp"

using namespace greentune;
using store_test::TempDir;
using ::testing::HasSubstr;

namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

// Proposes x = 0, 1, 2, ... : the first value no trial in the history has.
class CountingSampler final : public tune::Sampler {
 public:
  std::string name() const override { return "counting"; }
  std::optional<tune::Params> propose(const tune::SamplerContext& context) override {
    std::set<int64_t> taken;
    for (const auto& t : context.history) taken.insert(std::get<int64_t>(t.params.at("x")));
    for (int64_t x = 0; x < 100; ++x)
      if (!taken.count(x)) return tune::Params{{"x", x}};
    return std::nullopt;
  }
};

tune::StudyOptions options(int rounds) {
  tune::StudyOptions o;
  o.name = "s";
  o.objective = "curves";
  o.rounds = rounds;
  o.direction = tune::Direction::maximize;
  o.space.params.push_back({"x", tune::ParamType::integer, 0, 99, false, 1, {}});
  return o;
}

int64_t x_of(const tune::Params& params) {
  return std::get<int64_t>(params.at("x"));
}

// An objective that behaves as the contract in objective.hpp asks: it reports step after step
// (value curve(x, step), cumulative joules joules_per_step(x) * step), asks should_prune() after
// each report, and returns `pruned` with what it used when told to stop. `steps_run` counts the
// steps it really ran.
struct CurveObjective {
  int steps = 4;
  std::function<double(int64_t x, int step)> curve;
  std::function<double(int64_t x)> joules_per_step = [](int64_t) { return 10.0; };
  std::vector<int>* steps_run = nullptr;

  tune::ObjectiveResult operator()(const tune::Params& params, tune::TrialContext& context) const {
    const int64_t x = x_of(params);
    tune::ObjectiveResult result;
    double best = -1e300;
    int step = 1;
    for (; step <= steps; ++step) {
      const double value = curve(x, step);
      best = std::max(best, value);
      const double joules = joules_per_step(x) * step;
      context.report({step, {value}, kUnknown, joules});
      result.joules = joules;
      if (context.should_prune()) {
        result.state = tune::TrialState::pruned;
        break;
      }
    }
    if (steps_run) steps_run->push_back(std::min(step, steps));
    if (result.state != tune::TrialState::pruned) result.values = {best};
    return result;
  }
};

// Forwards to a real store; trials() fails while `failing` is set (a busy or lost database).
class FlakyStorage final : public tune::Storage {
 public:
  explicit FlakyStorage(tune::Storage& inner) : inner_(inner) {}
  bool failing = false;
  tune::StudyInfo create_or_open_study(const tune::StudyInfo& wanted) override {
    return inner_.create_or_open_study(wanted);
  }
  std::optional<tune::StudyInfo> find_study(const std::string& name) override {
    return inner_.find_study(name);
  }
  std::vector<tune::StudyInfo> studies() override { return inner_.studies(); }
  std::vector<tune::Trial> trials(int64_t study_id) override {
    if (failing) throw StoreError("database is locked");
    return inner_.trials(study_id);
  }
  std::optional<tune::Trial> claim_trial(int64_t study_id, const tune::TrialOwner& owner,
                                         const tune::ProposeFn& propose) override {
    return inner_.claim_trial(study_id, owner, propose);
  }
  void heartbeat(int64_t trial_id) override { inner_.heartbeat(trial_id); }
  void report_intermediate(int64_t trial_id, const tune::IntermediateReport& report) override {
    inner_.report_intermediate(trial_id, report);
  }
  void finish_trial(int64_t trial_id, const tune::Trial& result) override {
    inner_.finish_trial(trial_id, result);
  }
  std::vector<tune::Trial> fail_stale_trials(int64_t study_id, double stale_seconds) override {
    return inner_.fail_stale_trials(study_id, stale_seconds);
  }

 private:
  tune::Storage& inner_;
};

std::shared_ptr<const tune::Pruner> asha(int min_step, int max_step, int reduction) {
  return std::make_shared<tune::AshaPruner>(min_step, max_step, reduction);
}

}  // namespace

TEST(StudyPruning, PrunedTrialKeepsItsReportsAndJoulesAndCountsAsARound) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(4);
  o.pruner = asha(1, 4, 2);  // rungs at steps 1 and 2, below max_step 4
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  std::vector<int> steps_run;
  // Every later trial is worse than all earlier ones at every step: ASHA keeps the first (it is
  // alone at its rungs) and stops each other one at its first rung.
  CurveObjective objective{4, [](int64_t x, int step) { return 0.9 - 0.1 * x + 0.01 * step; }};
  objective.steps_run = &steps_run;
  std::vector<tune::Progress> seen;
  std::vector<tune::Trial> seen_trials;
  auto done = study.optimize(objective, 100, [&](const tune::Progress& p) {
    seen.push_back(p);
    seen_trials.push_back(*p.trial);
  });

  ASSERT_EQ(done.size(), 4u);  // pruned trials are rounds: the study stops at its 4 rounds
  EXPECT_EQ(steps_run, (std::vector<int>{4, 1, 1, 1}));  // the objective really stopped
  EXPECT_EQ(study.finished_count(), 4);
  EXPECT_FALSE(study.ask());
  auto trials = study.trials();
  ASSERT_EQ(trials.size(), 4u);
  EXPECT_EQ(trials[0].state, tune::TrialState::complete);
  EXPECT_EQ(trials[0].intermediate.size(), 4u);
  for (int i = 1; i < 4; ++i) {
    const auto& t = trials[static_cast<size_t>(i)];
    EXPECT_EQ(t.state, tune::TrialState::pruned) << "trial " << t.number;
    ASSERT_EQ(t.intermediate.size(), 1u);  // its curve, kept
    EXPECT_EQ(t.intermediate[0].step, 1);
    EXPECT_DOUBLE_EQ(t.intermediate[0].joules, 10.0);
    EXPECT_DOUBLE_EQ(t.joules, 10.0);  // what it used
    EXPECT_TRUE(t.values.empty());
    EXPECT_THAT(t.error, HasSubstr("rung"));  // the pruner's reason
  }
  EXPECT_EQ(study.best_trial()->number, 1);  // a pruned trial is never the best

  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3].round, 4);
  EXPECT_EQ(seen[3].pruned, 3);
  EXPECT_DOUBLE_EQ(seen[3].pruned_joules, 30.0);
  EXPECT_DOUBLE_EQ(seen[3].joules, 70.0);
  EXPECT_EQ(tune::trial_state_text(seen_trials[1]), "pruned@1");
  seen[3].trial = &seen_trials[3];
  EXPECT_THAT(tune::tune_progress_line(seen[3], 1),
              ::testing::MatchesRegex(
                  "round 4/4  trial 4  value +pruned@1  best +0.94  joules +70  pruned 3 "
                  "\\(30 J\\)  ETA .*"));
}

TEST(StudyPruning, WithoutPrunerOrBudgetNothingStops) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  tune::Study study(storage, options(3), std::make_unique<CountingSampler>());
  std::vector<int> steps_run;
  CurveObjective objective{3, [](int64_t x, int) { return -static_cast<double>(x); }};
  objective.steps_run = &steps_run;
  study.optimize(objective, 3);
  EXPECT_EQ(steps_run, (std::vector<int>{3, 3, 3}));
  for (const auto& t : study.trials()) EXPECT_EQ(t.state, tune::TrialState::complete);
}

TEST(StudyPruning, PrunerDecidesFromTrialsOfEveryWorkerInTheStore) {
  // A second Study object on the same store stands for another worker: its trial is judged
  // against the first one's, which it never ran.
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(2);
  o.pruner = asha(1, 3, 2);
  CurveObjective good{3, [](int64_t, int) { return 0.9; }};
  {
    tune::Study first(storage, o, std::make_unique<CountingSampler>());
    first.optimize(good, 1);
  }
  tune::Study second(storage, o, std::make_unique<CountingSampler>());
  CurveObjective bad{3, [](int64_t, int) { return 0.1; }};
  second.optimize(bad, 1);
  auto trials = second.trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[1].state, tune::TrialState::pruned);
}

TEST(StudyPruning, ObjectiveThatFinishesAnywayIsStoredComplete) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(2);
  o.pruner = asha(1, 3, 2);
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  auto stubborn = [](const tune::Params& params, tune::TrialContext& context) {
    const double value = 1.0 - static_cast<double>(x_of(params));
    for (int step = 1; step <= 3; ++step) {
      context.report(step, value);
      (void)context.should_prune();  // asked, ignored
    }
    tune::ObjectiveResult r;
    r.values = {value};
    return r;
  };
  study.optimize(stubborn, 2);
  for (const auto& t : study.trials()) EXPECT_EQ(t.state, tune::TrialState::complete);
}

TEST(StudyPruning, StudyBudgetStopsTheRunningTrialForRetryAndStartsNoOther) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(10);
  o.budget.max_joules = 60;
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  std::vector<int> steps_run;
  // 4 steps of 10 J: the first trial completes (40 J); the second reaches 60 J at its step 2.
  CurveObjective objective{4, [](int64_t, int step) { return 0.1 * step; }};
  objective.steps_run = &steps_run;
  std::vector<tune::Progress> seen;
  std::vector<tune::Trial> seen_trials;
  study.optimize(objective, 100, [&](const tune::Progress& p) {
    seen.push_back(p);
    seen_trials.push_back(*p.trial);
  });
  EXPECT_EQ(steps_run, (std::vector<int>{4, 2}));
  auto trials = study.trials();
  ASSERT_EQ(trials.size(), 2u);  // no third trial started
  EXPECT_EQ(trials[0].state, tune::TrialState::complete);
  EXPECT_EQ(trials[1].state, tune::TrialState::failed);
  EXPECT_TRUE(trials[1].retry);  // a larger budget runs its point again
  EXPECT_THAT(trials[1].error, HasSubstr("study energy budget"));
  EXPECT_EQ(trials[1].intermediate.size(), 2u);
  EXPECT_DOUBLE_EQ(trials[1].joules, 20.0);
  EXPECT_TRUE(study.budget_spent());
  EXPECT_FALSE(study.ask());

  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].budget_spent);
  EXPECT_TRUE(seen[1].budget_spent);
  seen[1].trial = &seen_trials[1];
  const std::string line = tune::tune_progress_line(seen[1], 2);
  EXPECT_THAT(line, HasSubstr("value       failed"));
  EXPECT_THAT(line, HasSubstr("joules         60/60 budget spent"));
  EXPECT_THAT(line, HasSubstr("(study energy budget: 60 J spent of max_joules = 60 J)"));

  // Resumed with a larger budget, the study goes on and runs the stopped point first.
  o.budget.max_joules = 1000;
  tune::Study resumed(storage, o, std::make_unique<CountingSampler>());
  ASSERT_EQ(resumed.optimize(objective, 1).size(), 1u);
  EXPECT_EQ(x_of(resumed.trials().back().params), 1);
}

TEST(StudyPruning, TrialBudgetFailsTheTrialThatGoesPastItAndTheStudyGoesOn) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(3);
  o.budget.max_trial_joules = 25;
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  std::vector<int> steps_run;
  // x = 1 costs 10 J per step: past 25 J at step 3. The others cost 5 J per step (20 J).
  CurveObjective objective{4, [](int64_t, int step) { return 0.1 * step; },
                           [](int64_t x) { return x == 1 ? 10.0 : 5.0; }};
  objective.steps_run = &steps_run;
  std::vector<std::string> lines;
  study.optimize(objective, 100,
                 [&](const tune::Progress& p) { lines.push_back(tune::tune_progress_line(p, 1)); });
  EXPECT_EQ(steps_run, (std::vector<int>{4, 3, 4, 4}));
  auto trials = study.trials();
  ASSERT_EQ(trials.size(), 4u);  // the failed one is no round: a fourth trial makes 3 rounds
  EXPECT_EQ(trials[1].state, tune::TrialState::failed);
  EXPECT_FALSE(trials[1].retry);  // the point itself costs too much
  EXPECT_THAT(trials[1].error, HasSubstr("energy budget: the trial used 30 J"));
  EXPECT_THAT(trials[1].error, HasSubstr("max_trial_joules = 25 J"));
  EXPECT_EQ(trials[1].intermediate.size(), 3u);
  EXPECT_DOUBLE_EQ(trials[1].joules, 30.0);
  EXPECT_EQ(study.finished_count(), 3);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[0], HasSubstr("trial 20/25 J"));
  EXPECT_THAT(lines[1], HasSubstr("trial 30/25 J"));
}

TEST(StudyPruning, TellAppliesTheVerdictOnlyToAPrunedResult) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(5);
  o.budget.max_trial_joules = 1;
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  // ask/tell without optimize(): an objective that stops on its own is pruned as it says.
  auto own = study.ask();
  ASSERT_TRUE(own);
  tune::ObjectiveResult stopped;
  stopped.state = tune::TrialState::pruned;
  stopped.error = "my own early stop";
  study.tell(*own, stopped);
  EXPECT_EQ(study.trials()[0].state, tune::TrialState::pruned);
  EXPECT_EQ(study.trials()[0].error, "my own early stop");
  EXPECT_EQ(study.finished_count(), 1);
  // judge_running_trial is what should_prune() answers: past the trial budget, stop.
  auto over = study.ask();
  ASSERT_TRUE(over);
  storage.report_intermediate(over->id, {1, {0.5}, 1.0, 2.0});
  auto verdict = study.judge_running_trial(*over);
  EXPECT_TRUE(verdict.stop());
  EXPECT_EQ(verdict.state, tune::TrialState::failed);
  study.tell(*over, stopped);
  EXPECT_EQ(study.trials()[1].state, tune::TrialState::failed);
  EXPECT_THAT(study.trials()[1].error, HasSubstr("energy budget"));
}

TEST(StudyPruning, StoreThatCannotBeReadWhileJudgingLetsTheTrialGoOn) {
  TempDir dir;
  store::SqliteStorage sqlite(dir.file("s.db"));
  FlakyStorage storage(sqlite);
  auto o = options(1);
  o.pruner = asha(1, 3, 2);
  o.budget.max_trial_joules = 5;  // the trial goes past it at step 1: stopped once readable
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  std::vector<bool> answers;
  study.optimize(
      [&](const tune::Params&, tune::TrialContext& context) {
        tune::ObjectiveResult r;
        for (int step = 1; step <= 3; ++step) {
          context.report({step, {0.5}, kUnknown, 10.0 * step});
          storage.failing = step == 1;
          answers.push_back(context.should_prune());
          storage.failing = false;
          if (answers.back()) {
            r.state = tune::TrialState::pruned;
            return r;
          }
        }
        r.values = {0.5};
        return r;
      },
      1);
  EXPECT_EQ(answers, (std::vector<bool>{false, true}));  // no verdict, then asked again
  EXPECT_EQ(study.trials()[0].state, tune::TrialState::failed);
}
