// Which sampler a study's objectives get, and that the multi-objective one reads objectives and
// constrained quantities by metric name (an objective's value or the trial's own measurement).
#include "greentune/tune/study_sampler.hpp"

#include <gtest/gtest.h>

#include "greentune/tune/constraints.hpp"
#include "greentune/tune/front.hpp"

namespace greentune::tune {
namespace {

StudyObjectives one(Direction direction) {
  StudyObjectives o;
  o.directions = {direction};
  o.metrics = {"value"};
  return o;
}

TEST(StudySampler, BayesWithSeveralObjectivesOrConstraintsIsTheMultiObjectiveSampler) {
  SamplerOptions options;
  EXPECT_EQ(make_study_sampler("bayes", options, one(Direction::minimize))->name(), "bayes");
  StudyObjectives two = one(Direction::minimize);
  two.directions.push_back(Direction::minimize);
  two.metrics.push_back("joules");
  EXPECT_EQ(make_study_sampler("bayes", options, two)->name(), "mobo");
  StudyObjectives constrained = one(Direction::maximize);
  constrained.constraints = {parse_constraint("joules", "<= 10")};
  EXPECT_EQ(make_study_sampler("bayes", options, constrained)->name(), "mobo");
  // Grid and random search ignore the objectives.
  EXPECT_EQ(make_study_sampler("random", options, two)->name(), "random");
  EXPECT_EQ(make_study_sampler("grid", options, constrained)->name(), "grid");
}

// Minimise (x - 0.9)^2 where only x <= 0.5 is allowed, the bound on the trial's measured
// seconds (= x here): once past its random start the sampler keeps to the boundary, not to the
// unconstrained optimum at 0.9, and finds the constrained optimum there.
TEST(StudySampler, ConstrainedSingleObjectiveReadsTheBoundFromTheTrialRecord) {
  SearchSpace space;
  space.params.push_back({"x", ParamType::real, 0, 1, false, 0, {}});
  StudyObjectives objectives = one(Direction::minimize);
  objectives.constraints = {parse_constraint("seconds", "<= 0.5")};
  bind_constraint(objectives.constraints[0], objectives.metrics);
  SamplerOptions options;
  options.startup_rounds = 5;
  options.candidates = 500;
  auto sampler = make_study_sampler("bayes", options, objectives);
  std::vector<Trial> history;
  int near_feasible_after_startup = 0;
  for (int i = 0; i < 20; ++i) {
    SamplerContext context{space, history, Direction::minimize, 11};
    auto params = sampler->propose(context);
    ASSERT_TRUE(params);
    const double x = as_double(*params, "x");
    Trial t;
    t.number = i + 1;
    t.params = *params;
    t.state = TrialState::complete;
    t.values = {(x - 0.9) * (x - 0.9)};
    t.seconds = x;
    if (i >= options.startup_rounds && x <= 0.51) ++near_feasible_after_startup;
    history.push_back(t);
  }
  // At the boundary the probability of feasibility is about one half, so proposals sit on
  // either side of it, none far into the infeasible side.
  EXPECT_GE(near_feasible_after_startup, 14) << "of 15 model-driven proposals";
  std::optional<double> best_x;
  for (const auto& t : history)
    if (is_feasible(t, objectives) && (!best_x || t.seconds > *best_x)) best_x = t.seconds;
  ASSERT_TRUE(best_x);
  EXPECT_GT(*best_x, 0.48);
}

}  // namespace
}  // namespace greentune::tune
