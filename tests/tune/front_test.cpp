// A study's Pareto front from its trials: members, hypervolume against a given or inferred
// reference, knee, constraints and the cheapest trial within a distance of the best, all checked
// against hand-computed figures.
#include "greentune/tune/front.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/constraints.hpp"

namespace greentune::tune {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Trial complete(double accuracy, double joules) {
  Trial t;
  t.state = TrialState::complete;
  t.values = {accuracy, joules};
  t.joules = 1e6;  // the study's joules metric, not the record's, must be read
  return t;
}

StudyObjectives accuracy_and_joules() {
  StudyObjectives o;
  o.directions = {Direction::maximize, Direction::minimize};
  o.metrics = {"accuracy", "joules"};
  return o;
}

// Trials 0..5: on the front are 0, 1, 5 and 2; 3 is dominated by 1; 4 failed.
std::vector<Trial> trials() {
  Trial failed;
  failed.state = TrialState::failed;
  return {
      complete(0.80, 100), complete(0.85, 300), complete(0.90, 900), complete(0.82, 400), failed,
      complete(0.89, 350)};
}

TEST(ParetoFront, MembersHypervolumeAndKneeOfTwoObjectives) {
  const auto front = pareto_front(trials(), accuracy_and_joules());
  EXPECT_EQ(front.complete, 5);
  EXPECT_EQ(front.feasible, 5);
  EXPECT_THAT(front.members, ElementsAre(2, 5, 1, 0));  // by accuracy, best first
  // Inferred: the worst of each objective, 10% of its range beyond (0.80 - 0.01, 900 + 80).
  EXPECT_FALSE(front.reference_given);
  ASSERT_EQ(front.reference.size(), 2u);
  EXPECT_NEAR(front.reference[0], 0.79, 1e-12);
  EXPECT_NEAR(front.reference[1], 980, 1e-9);
  // Slabs along accuracy: 0.01 * (980 - 900) + 0.04 * (980 - 350) + 0.05 * (980 - 300)
  // + 0.01 * (980 - 100).
  EXPECT_NEAR(front.hypervolume, 0.8 + 25.2 + 34 + 8.8, 1e-9);
  // Scaled to [0, 1] over the front, trial 5 has the smallest sum (0.1 + 0.3125).
  ASSERT_TRUE(front.knee);
  EXPECT_EQ(*front.knee, 5u);
}

TEST(ParetoFront, GivenReferenceAndConstraints) {
  auto objectives = accuracy_and_joules();
  objectives.reference_point = {0.5, 1000};
  auto front = pareto_front(trials(), objectives);
  EXPECT_TRUE(front.reference_given);
  EXPECT_THAT(front.reference, ElementsAre(0.5, 1000.0));
  // 0.01 * 100 + 0.04 * 650 + 0.05 * 700 + 0.30 * 900
  EXPECT_NEAR(front.hypervolume, 1 + 26 + 35 + 270, 1e-9);

  objectives.reference_point.clear();
  objectives.constraints = {parse_constraint("accuracy", ">= 0.86")};
  bind_constraint(objectives.constraints[0], objectives.metrics);
  front = pareto_front(trials(), objectives);
  EXPECT_EQ(front.complete, 5);
  EXPECT_EQ(front.feasible, 2);
  EXPECT_THAT(front.members, ElementsAre(2, 5));
  // Reference (0.889, 955): 0.01 * 55 + 0.001 * 605.
  EXPECT_NEAR(front.hypervolume, 0.55 + 0.605, 1e-9);

  // A constraint on the record's own measurement (not an objective).
  objectives.constraints = {parse_constraint("seconds", "<= 5")};
  auto timed = trials();
  for (auto& t : timed) t.seconds = 10;
  timed[0].seconds = 4;
  front = pareto_front(timed, objectives);
  EXPECT_THAT(front.members, ElementsAre(0));
  EXPECT_DOUBLE_EQ(front.hypervolume, 0.1 * 10);  // range 0: 10% of |value| (or 1) beyond
}

TEST(ParetoFront, NothingFeasibleIsAnEmptyFront) {
  auto objectives = accuracy_and_joules();
  objectives.constraints = {parse_constraint("accuracy", ">= 0.99")};
  const auto front = pareto_front(trials(), objectives);
  EXPECT_TRUE(front.members.empty());
  EXPECT_EQ(front.hypervolume, 0);
  EXPECT_FALSE(front.knee);
  EXPECT_TRUE(pareto_front({}, objectives).members.empty());
}

TEST(CheapestWithin, FewestJoulesAmongTrialsCloseToTheBest) {
  const auto objectives = accuracy_and_joules();
  EXPECT_EQ(cheapest_within(trials(), objectives, {0.01, false}), 5u);  // 0.89, 350 J
  EXPECT_EQ(cheapest_within(trials(), objectives, {0.05, false}), 1u);  // 0.85 counts: 300 J
  EXPECT_EQ(cheapest_within(trials(), objectives, {0.0, false}), 2u);   // the best itself
  EXPECT_EQ(cheapest_within(trials(), objectives, {0.12, true}), 0u);   // 0.792 and up
  // Without a joules metric, the trial's measured joules decide.
  StudyObjectives accuracy;
  accuracy.directions = {Direction::maximize};
  accuracy.metrics = {"accuracy"};
  std::vector<Trial> measured = {complete(0.90, 0), complete(0.895, 0)};
  measured[0].values = {0.90};
  measured[1].values = {0.895};
  measured[0].joules = 50;
  measured[1].joules = 20;
  EXPECT_EQ(cheapest_within(measured, accuracy, {0.01, false}), 1u);
  EXPECT_EQ(cheapest_within(measured, accuracy, {0.001, false}), 0u);
  EXPECT_FALSE(cheapest_within({}, accuracy, {0.01, false}));
  // Energy not measured (0 J everywhere): no trial is cheaper than another.
  measured[0].joules = measured[1].joules = 0;
  EXPECT_FALSE(cheapest_within(measured, accuracy, {0.01, false}));
}

TEST(CheapestWithin, ClosenessReadsAmountsAndPercentages) {
  EXPECT_DOUBLE_EQ(parse_closeness("0.01").amount, 0.01);
  EXPECT_FALSE(parse_closeness("0.01").relative);
  const auto relative = parse_closeness(" 2.5 %");
  EXPECT_TRUE(relative.relative);
  EXPECT_DOUBLE_EQ(relative.amount, 0.025);
  EXPECT_EQ(to_string(relative), "2.5%");
  EXPECT_EQ(to_string(parse_closeness("0.01")), "0.01");
  for (const char* bad : {"", "%", "-1", "1e999", "a lot", "0.01x"}) {
    try {
      parse_closeness(bad);
      ADD_FAILURE() << "'" << bad << "' was read";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr("expected a number >= 0"));
    }
  }
}

}  // namespace
}  // namespace greentune::tune
