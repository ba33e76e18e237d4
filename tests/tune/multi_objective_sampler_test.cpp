#include "greentune/tune/multi_objective_sampler.hpp"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/hypervolume.hpp"
#include "greentune/tune/multi_objective_benchmarks.hpp"
#include "greentune/tune/random_sampler.hpp"
#include "greentune/tune/unit_cube.hpp"

namespace greentune::tune {
namespace {

using Objectives = std::function<std::vector<double>(const Params&)>;

// Ask/evaluate/tell with several objectives: value = first objective, values = the others.
std::vector<Trial> run_loop(Sampler& sampler, const SearchSpace& space, uint64_t seed, int rounds,
                            const Objectives& f,
                            const std::function<double(const Params&)>& joules = {}) {
  std::vector<Trial> history;
  for (int i = 0; i < rounds; ++i) {
    SamplerContext context{space, history, Direction::minimize, seed};
    auto params = sampler.propose(context);
    if (!params) break;
    Trial t;
    t.number = i;
    t.params = *params;
    t.state = TrialState::complete;
    const auto v = f(*params);
    t.values = v;
    if (joules) t.joules = joules(*params);
    history.push_back(std::move(t));
  }
  return history;
}

std::vector<std::vector<double>> objectives_of(const std::vector<Trial>& history) {
  std::vector<std::vector<double>> out;
  for (const auto& t : history) {
    out.push_back(t.values);
  }
  return out;
}

// x0, x1, ... in order (the names sort as their numbers below ten).
std::vector<double> coordinates(const Params& p) {
  std::vector<double> x;
  for (const auto& [name, value] : p) x.push_back(std::get<double>(value));
  return x;
}

MultiObjectiveOptions minimise(size_t objectives) {
  MultiObjectiveOptions options;
  options.directions.assign(objectives, Direction::minimize);
  return options;
}

TEST(MultiObjectiveSampler, RefusesOptionsThatCannotWork) {
  EXPECT_THROW(MultiObjectiveSampler({}, minimise(0)), InputError);
  EXPECT_THROW(MultiObjectiveSampler({}, minimise(5)), InputError);
  auto scales = minimise(2);
  scales.scales = {ValueScale::log};
  EXPECT_THROW(MultiObjectiveSampler({}, scales), InputError);
  auto log_bound = minimise(2);
  log_bound.constraints.push_back(parse_constraint("joules", "<= 0"));
  log_bound.constraints.back().scale = ValueScale::log;
  EXPECT_THROW(MultiObjectiveSampler({}, log_bound), InputError);
  auto unknown = minimise(2);
  unknown.constraints.push_back(parse_constraint("memory", "<= 10"));
  EXPECT_THROW(MultiObjectiveSampler({}, unknown), InputError);
  auto no_objective = minimise(2);
  no_objective.constraints.push_back(parse_constraint("accuracy", ">= 0.8"));
  no_objective.constraints.back().objective = 2;
  EXPECT_THROW(MultiObjectiveSampler({}, no_objective), InputError);
  // A custom reader may read any quantity.
  unknown.read_outcomes = [](const Trial&) { return TrialOutcomes{{1, 2}, {3}}; };
  EXPECT_NO_THROW(MultiObjectiveSampler({}, unknown));
}

TEST(MultiObjectiveSampler, SameSeedSameProposals) {
  MultiObjectiveSampler sampler({}, minimise(2));
  const auto space = unit_cube_space(3);
  auto f = [](const Params& p) { return multi_objective_benchmark("zdt1", p); };
  const auto a = run_loop(sampler, space, 4, 9, f);
  const auto b = run_loop(sampler, space, 4, 9, f);
  const auto c = run_loop(sampler, space, 5, 9, f);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].params, b[i].params);
  EXPECT_NE(a.back().params, c.back().params);
}

// The point of the sampler: at the same budget its front dominates far more than random search's.
TEST(MultiObjectiveSampler, BeatsRandomSearchOnZdt1) {
  MultiObjectiveSampler sampler({}, minimise(2));
  RandomSampler random(QuasiKind::none);
  const auto space = unit_cube_space(3);
  auto f = [](const Params& p) { return multi_objective_benchmark("zdt1", p); };
  for (uint64_t seed : {1u, 2u, 3u}) {
    const double mine = hypervolume(objectives_of(run_loop(sampler, space, seed, 20, f)), {11, 11});
    const double theirs =
        hypervolume(objectives_of(run_loop(random, space, seed, 20, f)), {11, 11});
    EXPECT_GT(mine, theirs + 1.0) << "seed " << seed;
    EXPECT_GT(mine, 119.5) << "seed " << seed;  // the true front's is 120.67
  }
}

// DTLZ2's front is reached with x1..x5 = 0.5, the middle of the cube. A model whose prior mean is
// the average trial made the unexplored faces and corners look better than the young front, and
// most proposals went there (median distance g from the front over trials 15-29: 0.84 on this
// seed, 0.72 with today's reference margin; 0.41-0.84 on 9 of 10 seeds). With the worst
// observed value as the prior mean they close in on the front (0.04 here, 0.04-0.17 on all 10).
TEST(MultiObjectiveSampler, ClosesInOnTheFrontOfDtlz2RatherThanTheCubesFaces) {
  MultiObjectiveSampler sampler({}, minimise(2));
  const auto space = unit_cube_space(6);
  auto f = [](const Params& p) { return multi_objective_benchmark("dtlz2", p); };
  const auto history = run_loop(sampler, space, 1, 30, f);
  std::vector<double> distance;
  for (size_t i = 15; i < history.size(); ++i)
    distance.push_back(std::hypot(history[i].values[0], history[i].values[1]) - 1);  // g
  std::nth_element(distance.begin(), distance.begin() + distance.size() / 2, distance.end());
  EXPECT_LT(distance[distance.size() / 2], 0.3);
}

// ZDT2's front is concave and its far end (1, 0) lies on a face of the cube; against the far
// reference (11, 11) it is worth 10 of the 120.3 the front can reach. The reference drawn per
// proposal must reach far enough beyond the nadir for that end to count: with the pessimistic
// prior mean and a margin of 10% of the observed range it was not found in 40 trials on any of
// 10 seeds (bench/mobo_hypervolume_bench --trace zdt2 mobo 10 40 6).
TEST(MultiObjectiveSampler, ReachesTheFarEndOfAConcaveFront) {
  MultiObjectiveSampler sampler({}, minimise(2));
  const auto space = unit_cube_space(6);
  auto f = [](const Params& p) { return multi_objective_benchmark("zdt2", p); };
  const auto history = run_loop(sampler, space, 3, 40, f);
  EXPECT_TRUE(std::any_of(history.begin(), history.end(),
                          [](const Trial& t) { return t.values[0] > 0.9 && t.values[1] < 0.3; }));
  EXPECT_GT(hypervolume(objectives_of(history), {11, 11}), 119.5);
}

// A given reference point bounds the region worth improving: with f1 <= 0.3 required, ZDT1's
// proposals stay at the low-f1 end of the front instead of spreading along all of it.
TEST(MultiObjectiveSampler, GivenReferencePointFocusesTheSearch) {
  auto options = minimise(2);
  options.reference_point = {0.3, 11};
  MultiObjectiveSampler focused({}, options);
  MultiObjectiveSampler spread({}, minimise(2));
  const auto space = unit_cube_space(3);
  auto f = [](const Params& p) { return multi_objective_benchmark("zdt1", p); };
  auto inside = [](const std::vector<Trial>& history) {
    int count = 0;
    for (const auto& t : history) count += t.number >= 5 && *t.value() <= 0.3 ? 1 : 0;
    return count;
  };
  for (uint64_t seed : {1u, 2u}) {
    const int focused_inside = inside(run_loop(focused, space, seed, 20, f));
    EXPECT_GE(focused_inside, 12) << "seed " << seed;  // of 15
    EXPECT_GT(focused_inside, inside(run_loop(spread, space, seed, 20, f))) << "seed " << seed;
  }
  options.reference_point = {0.3};
  EXPECT_THROW(MultiObjectiveSampler({}, options), InputError);
  options.reference_point = {0.3, -1};
  options.scales = {ValueScale::linear, ValueScale::log};
  EXPECT_THROW(MultiObjectiveSampler({}, options), InputError);
}

// Maximising -f is the same study as minimising f: same models, same proposals.
TEST(MultiObjectiveSampler, DirectionsTurnObjectivesRound) {
  const auto space = unit_cube_space(3);
  MultiObjectiveSampler plain({}, minimise(2));
  MultiObjectiveOptions turned = minimise(2);
  turned.directions[1] = Direction::maximize;
  MultiObjectiveSampler flipped({}, turned);
  const auto a = run_loop(plain, space, 2, 10,
                          [](const Params& p) { return multi_objective_benchmark("zdt2", p); });
  const auto b = run_loop(flipped, space, 2, 10, [](const Params& p) {
    auto v = multi_objective_benchmark("zdt2", p);
    v[1] = -v[1];
    return v;
  });
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].params, b[i].params) << i;
}

// Three objectives: squared distances to three centres, whose trade-offs form a curved surface.
std::vector<double> three_spheres(const Params& p) {
  const double centres[3][3] = {{0.2, 0.2, 0.2}, {0.8, 0.2, 0.5}, {0.5, 0.8, 0.8}};
  const auto x = coordinates(p);
  std::vector<double> f(3, 0.0);
  for (size_t k = 0; k < 3; ++k)
    for (size_t i = 0; i < 3; ++i) f[k] += std::pow(x[i] - centres[k][i], 2);
  return f;
}

TEST(MultiObjectiveSampler, ThreeObjectivesBeatRandomSearch) {
  MultiObjectiveSampler sampler({}, minimise(3));
  RandomSampler random(QuasiKind::none);
  const auto space = unit_cube_space(3);
  const std::vector<double> reference(3, 1.0);
  for (uint64_t seed : {1u, 2u}) {
    const double mine =
        hypervolume(objectives_of(run_loop(sampler, space, seed, 20, three_spheres)), reference);
    const double theirs =
        hypervolume(objectives_of(run_loop(random, space, seed, 20, three_spheres)), reference);
    EXPECT_GT(mine, theirs + 0.05) << "seed " << seed;
  }
}

TEST(MultiObjectiveSampler, FourObjectivesPropose) {
  MultiObjectiveSampler sampler({}, minimise(4));
  const auto space = unit_cube_space(4);
  auto f = [](const Params& p) { return dtlz2(coordinates(p), 4); };
  const auto history = run_loop(sampler, space, 3, 12, f);
  ASSERT_EQ(history.size(), 12u);
  // Model-based proposals differ from the random ones a RandomSampler would make.
  RandomSampler random(QuasiKind::none);
  const auto random_history = run_loop(random, space, 3, 12, f);
  EXPECT_NE(history.back().params, random_history.back().params);
}

// minimise the distance to (0.2, 0.2) subject to joules = 1000 (2 - x0 - x1) <= 800, i.e.
// x0 + x1 >= 1.2: the constrained optimum is (0.6, 0.6) with value 0.32.
double distance2(const Params& p) {
  return std::pow(as_double(p, "x0") - 0.2, 2) + std::pow(as_double(p, "x1") - 0.2, 2);
}
double joules(const Params& p) {
  return 1000 * (2 - as_double(p, "x0") - as_double(p, "x1"));
}

TEST(MultiObjectiveSampler, ConstrainedSingleObjectiveFindsTheBoundaryOptimum) {
  auto options = minimise(1);
  options.constraints.push_back(parse_constraint("joules", "<= 800"));
  MultiObjectiveSampler sampler({}, options);
  const auto space = unit_cube_space(2);
  for (uint64_t seed : {1u, 2u}) {
    const auto history = run_loop(
        sampler, space, seed, 20, [](const Params& p) { return std::vector{distance2(p)}; },
        joules);
    double best = 1e300;
    int feasible_after_startup = 0;
    for (const auto& t : history) {
      const bool feasible = t.joules <= 800;
      if (feasible) best = std::min(best, *t.value());
      if (feasible && t.number >= 5) ++feasible_after_startup;
    }
    EXPECT_LT(best, 0.33) << "seed " << seed;
    // The optimum lies on the boundary, so about half the proposals near it miss; random search
    // lands in the feasible third of the square a third of the time.
    EXPECT_GE(feasible_after_startup, 6) << "seed " << seed;  // of 15 model-based proposals
  }
}

// Infeasible trials stay in the model: with a feasible region of 0.5% of the space, which the
// random start-up misses, maximising the probability of feasibility finds it.
TEST(MultiObjectiveSampler, FindsTheFeasibleRegionWhenNothingIsFeasibleYet) {
  auto options = minimise(2);
  options.constraints.push_back(parse_constraint("joules", "<= 100"));  // x0 + x1 >= 1.9
  MultiObjectiveSampler sampler({}, options);
  const auto space = unit_cube_space(2);
  for (uint64_t seed : {1u, 2u}) {
    const auto history = run_loop(
        sampler, space, seed, 15,
        [](const Params& p) {
          return std::vector{distance2(p), as_double(p, "x1")};
        },
        joules);
    int first_feasible = -1;
    for (const auto& t : history)
      if (t.joules <= 100) {
        first_feasible = t.number;
        break;
      }
    ASSERT_GE(first_feasible, 5) << "seed " << seed << ": the start-up should miss it";
    EXPECT_LE(first_feasible, 10) << "seed " << seed;
  }
}

TEST(MultiObjectiveSampler, ConstraintOnAnObjectiveKeepsTheFrontAboveTheFloor) {
  // Maximise "accuracy" = x0 and minimise "joules" = x0^2 + x1, with accuracy >= 0.7: the
  // proposals after the start-up should mostly respect the floor.
  MultiObjectiveOptions options;
  options.directions = {Direction::maximize, Direction::minimize};
  auto floor = parse_constraint("accuracy", ">= 0.7");
  floor.objective = 0;
  options.constraints.push_back(floor);
  MultiObjectiveSampler sampler({}, options);
  const auto space = unit_cube_space(2);
  const auto history = run_loop(sampler, space, 6, 18, [](const Params& p) {
    const double x0 = as_double(p, "x0"), x1 = as_double(p, "x1");
    return std::vector{x0, x0 * x0 + x1};
  });
  int above = 0;
  for (const auto& t : history)
    if (t.number >= 5 && *t.value() >= 0.7) ++above;
  EXPECT_GE(above, 9);  // of 13
}

TEST(MultiObjectiveSampler, FailedAndRunningTrialsAreHandled) {
  MultiObjectiveSampler sampler({}, minimise(2));
  const auto space = unit_cube_space(2);
  auto history = run_loop(sampler, space, 8, 8,
                          [](const Params& p) { return multi_objective_benchmark("zdt1", p); });
  history[2].state = TrialState::failed;
  history[2].values.clear();
  history[3].values[1] = std::nan("");  // complete, but a value is missing
  history[7].state = TrialState::running;
  SamplerContext context{space, history, Direction::minimize, 8};
  const auto proposal = sampler.propose(context);
  ASSERT_TRUE(proposal.has_value());
  for (const auto& t : history) EXPECT_FALSE(same_point(t.params, *proposal));

  // Nothing measured at all: a random proposal rather than an error.
  for (auto& t : history) {
    t.state = TrialState::failed;
    t.values.clear();
  }
  SamplerContext failed{space, history, Direction::minimize, 8};
  EXPECT_TRUE(sampler.propose(failed).has_value());
}

TEST(MultiObjectiveSampler, LogScaledObjectivesTolerateNonPositiveValues) {
  auto options = minimise(2);
  options.scales = {ValueScale::linear, ValueScale::log};
  MultiObjectiveSampler sampler({}, options);
  const auto space = unit_cube_space(2);
  // The second objective is 0 on part of the space: those trials count as unmeasured.
  const auto history = run_loop(sampler, space, 9, 10, [](const Params& p) {
    const double x0 = as_double(p, "x0"), x1 = as_double(p, "x1");
    return std::vector{x0, std::max(0.0, 1000 * (x1 - 0.1)) * (1.5 - x0)};
  });
  EXPECT_EQ(history.size(), 10u);
}

TEST(CollectHistory, ReadsObjectivesConstraintsAndStates) {
  auto options = minimise(2);
  options.constraints.push_back(parse_constraint("joules", "<= 10"));
  auto on_objective = parse_constraint("loss", "<= 1");
  on_objective.objective = 1;
  options.constraints.push_back(on_objective);
  SearchSpace space = unit_cube_space(1);
  std::vector<Trial> trials(4);
  for (int i = 0; i < 4; ++i) {
    trials[static_cast<size_t>(i)].number = i;
    trials[static_cast<size_t>(i)].params = {{"x0", 0.25 * i}};
    trials[static_cast<size_t>(i)].state = TrialState::complete;
  }
  trials[0].values = {1, 2};
  trials[0].joules = 7;
  trials[1].state = TrialState::failed;
  trials[2].state = TrialState::running;
  trials[3].params = {{"y", 1.0}};  // another space
  SamplerContext context{space, trials, Direction::minimize, 0};
  const auto history = collect_history(context, options);
  ASSERT_EQ(history.x.size(), 2u);
  EXPECT_EQ(history.objectives[0], (std::vector<double>{1, 2}));
  EXPECT_EQ(history.constraints[0], (std::vector<double>{7, 2}));
  EXPECT_TRUE(std::isnan(history.objectives[1][0]));
  EXPECT_TRUE(std::isnan(history.constraints[1][0]));
  ASSERT_EQ(history.pending.size(), 1u);
  EXPECT_DOUBLE_EQ(history.pending[0][0], 0.5);
}

TEST(Constraints, ParseCheckAndProbability) {
  const auto floor = parse_constraint("accuracy", " >= 0.85 ");
  EXPECT_EQ(floor.sense, ConstraintSense::at_least);
  EXPECT_DOUBLE_EQ(floor.bound, 0.85);
  EXPECT_EQ(to_string(floor), "accuracy >= 0.85");
  const auto cap = parse_constraint("joules", "<=2e3");
  EXPECT_EQ(cap.sense, ConstraintSense::at_most);
  EXPECT_DOUBLE_EQ(cap.bound, 2000);
  for (const char* bad : {"2000", "< 2000", "<= ", "<= 20 J", "=> 3", ">= nan", "<= inf"})
    EXPECT_THROW(parse_constraint("joules", bad), InputError) << bad;
  try {
    parse_constraint("joules", "about 2000");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("joules"), std::string::npos);
  }
  EXPECT_TRUE(is_satisfied(floor, 0.85));
  EXPECT_FALSE(is_satisfied(floor, 0.84));
  EXPECT_FALSE(is_satisfied(floor, std::nan("")));
  EXPECT_TRUE(is_feasible({floor, cap}, {0.9, 1500}));
  EXPECT_FALSE(is_feasible({floor, cap}, {0.9, 2500}));
  // At the bound: one half; far on the wrong side: tiny but finite in log space.
  EXPECT_NEAR(log_probability_of_feasibility(ConstraintSense::at_most, 1, 1, 0.5), std::log(0.5),
              1e-12);
  EXPECT_NEAR(log_probability_of_feasibility(ConstraintSense::at_least, 0, 1, 1),
              std::log(0.841344746068543), 1e-9);
  const double far = log_probability_of_feasibility(ConstraintSense::at_most, 0, 50, 1);
  EXPECT_TRUE(std::isfinite(far));
  EXPECT_LT(far, -1000);
}

}  // namespace
}  // namespace greentune::tune
