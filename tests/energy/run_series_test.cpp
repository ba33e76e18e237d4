// The spread over repeated runs, against figures computed by hand.
#include "greentune/energy/run_series.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "greentune/common/error.hpp"

namespace greentune::energy {
namespace {

TEST(Spread, OddCountAgainstHandComputation) {
  const Spread s = spread_of({4.0, 2.0, 3.0});
  EXPECT_EQ(s.runs, 3u);
  EXPECT_DOUBLE_EQ(s.min, 2.0);
  EXPECT_DOUBLE_EQ(s.median, 3.0);
  EXPECT_DOUBLE_EQ(s.max, 4.0);
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
  // ((1 + 0 + 1) / (3 - 1)) ^ 0.5 = 1
  EXPECT_DOUBLE_EQ(s.stddev, 1.0);
  EXPECT_DOUBLE_EQ(s.relative_stddev, 1.0 / 3.0);
  EXPECT_TRUE(s.has_spread());
}

TEST(Spread, EvenCountTakesTheMeanOfTheMiddleTwo) {
  const Spread s = spread_of({10.0, 1.0, 3.0, 2.0});
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
  // deviations -3, -2, -1, 6: squares 9 + 4 + 1 + 36 = 50, / 3
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(50.0 / 3.0));
}

TEST(Spread, OneRunHasNoSpreadAndNoneHasNothing) {
  const Spread one = spread_of({7.5});
  EXPECT_FALSE(one.has_spread());
  EXPECT_DOUBLE_EQ(one.median, 7.5);
  EXPECT_DOUBLE_EQ(one.stddev, 0.0);
  EXPECT_EQ(spread_of({}).runs, 0u);
  EXPECT_DOUBLE_EQ(spread_of({0.0, 0.0}).relative_stddev, 0.0);  // no division by a zero mean
}

Measurement run(double seconds, double package, double core) {
  Measurement m;
  m.seconds = seconds;
  DomainEnergy p;
  p.info.name = "package-0";
  p.joules = package;
  DomainEnergy c;
  c.info.name = "core-0";
  c.info.part_of_parent = true;
  c.joules = core;
  m.domains = {p, c};
  m.total_joules = package;
  m.samples = 5;
  m.missed_samples = 1;
  return m;
}

TEST(RunSeries, SpreadPerDomainAndTheMeanRun) {
  CarbonSettings carbon;
  carbon.grams_per_kwh = 360;
  const RunSeries series = summarize_runs({run(1, 2, 1), run(2, 3, 1), run(3, 7, 4)}, carbon);
  EXPECT_DOUBLE_EQ(series.seconds.mean, 2.0);
  EXPECT_DOUBLE_EQ(series.total_joules.median, 3.0);
  ASSERT_EQ(series.domains.size(), 2u);
  EXPECT_EQ(series.domains[0].first.name, "package-0");
  EXPECT_DOUBLE_EQ(series.domains[0].second.mean, 4.0);
  EXPECT_DOUBLE_EQ(series.domains[1].second.max, 4.0);
  const Measurement& mean = series.mean;
  EXPECT_DOUBLE_EQ(mean.seconds, 2.0);
  EXPECT_DOUBLE_EQ(mean.total_joules, 4.0);
  EXPECT_DOUBLE_EQ(mean.domains[0].joules, 4.0);
  EXPECT_DOUBLE_EQ(mean.domains[0].watts, 2.0);
  EXPECT_DOUBLE_EQ(mean.domains[1].joules, 2.0);
  EXPECT_EQ(mean.samples, 15u);
  EXPECT_EQ(mean.missed_samples, 3u);
  EXPECT_DOUBLE_EQ(mean.carbon.kwh, 4.0 / 3.6e6);
  EXPECT_DOUBLE_EQ(mean.carbon.grams_co2e, 4.0 / 3.6e6 * 360);
}

TEST(RunSeries, RefusesNothingOrMismatchedRuns) {
  EXPECT_THROW(summarize_runs({}, {}), InputError);
  Measurement other = run(1, 1, 1);
  other.domains.pop_back();
  EXPECT_THROW(summarize_runs({run(1, 1, 1), other}, {}), InputError);
}

}  // namespace
}  // namespace greentune::energy
