// What Bayesian optimisation learns from pruned trials (pruner.hpp: pruned_trial_value): their last
// report plus the complete trials' median gain from that step, never better than the best complete
// trial; without the complete trials' curves, their last report, never better than the worst
// complete trial; without a finite report, a failed trial.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "greentune/tune/bayes_sampler.hpp"

namespace greentune::tune {
namespace {

SearchSpace line_space() {
  SearchSpace space;
  space.params.push_back({"x", ParamType::real, 0, 1, false, 0, {}});
  return space;
}

Trial trial_at(int number, double x, TrialState state, std::vector<double> values,
               std::vector<double> curve = {}) {
  Trial t;
  t.number = number;
  t.params = {{"x", x}};
  t.state = state;
  t.values = std::move(values);
  for (size_t i = 0; i < curve.size(); ++i)
    t.intermediate.push_back({static_cast<int>(i) + 1, {curve[i]}, 1.0, 1.0});
  return t;
}

// Flat complete trials (about 0.5) at 0.1, 0.3, 0.5 and 0.95, and four trials in [0.62, 0.8]
// that stopped early in `state` with the curve `curve`.
std::vector<Trial> history_with(TrialState state, std::vector<double> curve) {
  std::vector<Trial> history;
  int n = 0;
  for (double x : {0.1, 0.3, 0.5, 0.95})
    history.push_back(trial_at(++n, x, TrialState::complete, {0.5 + 0.01 * x}));
  for (double x : {0.62, 0.68, 0.74, 0.8}) history.push_back(trial_at(++n, x, state, {}, curve));
  return history;
}

double proposal(const std::vector<Trial>& history) {
  SamplerOptions options;
  options.startup_rounds = 1;
  BayesSampler sampler(options);
  const auto space = line_space();
  SamplerContext context{space, history, Direction::maximize, 7};
  auto p = sampler.propose(context);
  EXPECT_TRUE(p);
  return p ? as_double(*p, "x") : -1;
}

TEST(BayesPruned, PrunedTrialsOwnValuesReachTheModel) {
  // Complete trials peak at 0.5, symmetric around it. A near miss (stopped at 0.45, just below
  // every complete trial) on one side of the peak and a disaster (0.02) on the other: the model
  // believes the near miss's side is better and proposes there. Were pruned trials given one
  // stand-in value, as failed ones are, both sides would look alike.
  auto with = [](double near_miss_at, double disaster_at) {
    std::vector<Trial> history;
    history.push_back(trial_at(1, 0.1, TrialState::complete, {0.5}));
    history.push_back(trial_at(2, 0.5, TrialState::complete, {0.9}));
    history.push_back(trial_at(3, 0.9, TrialState::complete, {0.5}));
    history.push_back(trial_at(4, near_miss_at, TrialState::pruned, {}, {0.3, 0.45}));
    history.push_back(trial_at(5, disaster_at, TrialState::pruned, {}, {0.05, 0.02}));
    return history;
  };
  EXPECT_GT(proposal(with(0.65, 0.35)), 0.5);
  EXPECT_LT(proposal(with(0.35, 0.65)), 0.5);
}

TEST(BayesPruned, PrunedTrialWithoutAFiniteReportCountsAsFailed) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_DOUBLE_EQ(proposal(history_with(TrialState::pruned, {0.4, nan})),
                   proposal(history_with(TrialState::failed, {})));
  EXPECT_DOUBLE_EQ(proposal(history_with(TrialState::pruned, {})),
                   proposal(history_with(TrialState::failed, {})));
}

TEST(BayesPruned, PrunedTrialNeverCountsAboveTheWorstCompleteOne) {
  // A pruned trial whose last report (0.9) beats every complete trial counts as the worst
  // complete value: the same proposal as a pruned report of exactly that value.
  EXPECT_DOUBLE_EQ(proposal(history_with(TrialState::pruned, {0.9})),
                   proposal(history_with(TrialState::pruned, {0.5 + 0.01 * 0.1})));
}

TEST(BayesPruned, AnEarlyStoppedTrialCountsAtItsEstimatedFullLengthValue) {
  // Complete trials whose curves gain 0.3, 0.6 and 0.3 from step 1 to the end (median 0.3), and a
  // trial pruned at step 1 with 0.25: the model gets 0.55 for it. The same as when the complete
  // trials carry no curves and the pruned one reported 0.55 itself (no gain to add, and 0.55 is
  // below every complete value); not the same as 0.25 taken as it is.
  auto with = [](bool curves, double pruned_report) {
    std::vector<Trial> history;
    int n = 0;
    for (auto [x, final_value] : {std::pair{0.1, 0.6}, {0.5, 0.9}, {0.9, 0.6}})
      history.push_back(
          trial_at(++n, x, TrialState::complete, {final_value},
                   curves ? std::vector<double>{0.3, final_value} : std::vector<double>{}));
    history.push_back(trial_at(++n, 0.7, TrialState::pruned, {}, {pruned_report}));
    return history;
  };
  const double estimated = proposal(with(true, 0.25));
  EXPECT_DOUBLE_EQ(estimated, proposal(with(false, 0.55)));
  EXPECT_NE(estimated, proposal(with(false, 0.25)));
}

}  // namespace
}  // namespace greentune::tune
