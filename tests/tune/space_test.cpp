// validate_space: the rules every space meets, whether a config or the C++ API built it, so that
// every proposal is a finite, exact value a store can keep.
#include "greentune/tune/space.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "greentune/common/error.hpp"
#include "greentune/tune/grid_sampler.hpp"
#include "greentune/tune/unit_cube.hpp"

namespace greentune::tune {
namespace {

using ::testing::HasSubstr;

SearchSpace one(ParamSpec spec) {
  SearchSpace space;
  space.params.push_back(std::move(spec));
  return space;
}

ParamSpec real(double low, double high) {
  return {"x", ParamType::real, low, high, false, 0, {}};
}

ParamSpec integer(double low, double high, double step = 1) {
  return {"n", ParamType::integer, low, high, false, step, {}};
}

// The InputError message for a space, or "" when it is accepted.
std::string error_of(const SearchSpace& space) {
  try {
    validate_space(space);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ValidateSpace, ExtremeButFiniteBoundsWhoseRangeOverflowsAreRefused) {
  // high - low = 2e308 is infinite: proposals became inf or NaN, and NaN was stored as null.
  EXPECT_THAT(error_of(one(real(-1e308, 1e308))), HasSubstr("space.x: high - low"));
  EXPECT_THAT(error_of(one(real(-std::numeric_limits<double>::max(), 1e308))),
              HasSubstr("high - low"));
  EXPECT_EQ(error_of(one(real(-std::numeric_limits<double>::max(), 0))), "");
  EXPECT_EQ(error_of(one(real(-1e307, 1e307))), "");
}

TEST(ValidateSpace, NonFiniteBoundsAndStepsAreRefused) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(error_of(one(real(0, inf))), HasSubstr("finite"));
  EXPECT_THAT(error_of(one(real(nan, 1))), HasSubstr("finite"));
  auto stepped = real(0, 1);
  stepped.step = inf;
  EXPECT_THAT(error_of(one(stepped)), HasSubstr("space.x.step"));
  stepped.step = 1e-300;  // 1e300 steps: the k-th step is no longer exact
  EXPECT_THAT(error_of(one(stepped)), HasSubstr("2^53"));
  stepped.step = -0.5;
  EXPECT_THAT(error_of(one(stepped)), HasSubstr("space.x.step"));
}

TEST(ValidateSpace, LogScalesNeedPositiveBoundsAndNoStep) {
  auto log = real(0, 1);
  log.log = true;
  EXPECT_THAT(error_of(one(log)), HasSubstr("low > 0"));
  log.low = 1e-5;
  EXPECT_EQ(error_of(one(log)), "");
  log.step = 0.1;
  EXPECT_THAT(error_of(one(log)), HasSubstr("log"));
  auto ints = integer(1, 64, 2);
  ints.log = true;
  EXPECT_THAT(error_of(one(ints)), HasSubstr("space.n.step"));
}

TEST(ValidateSpace, IntegerParametersNeedAWholeStepAndExactBounds) {
  // The C++ API's default step is 0: random proposals were INT64_MIN.
  EXPECT_THAT(error_of(one(integer(1, 10, 0))), HasSubstr("space.n.step"));
  EXPECT_THAT(error_of(one(integer(1, 10, 1.5))), HasSubstr("space.n.step"));
  EXPECT_THAT(error_of(one(integer(0.5, 10))), HasSubstr("whole"));
  // Beyond 2^53 doubles skip integers, so a proposal would not be the integer it claims.
  EXPECT_THAT(error_of(one(integer(0, 1e17))), HasSubstr("2^53"));
  EXPECT_THAT(error_of(one(integer(-1e19, 0))), HasSubstr("2^53"));
  // Each bound within 2^53 but 2^54 apart: low + k * step would round between steps.
  EXPECT_THAT(error_of(one(integer(-9007199254740992.0, 9007199254740992.0))), HasSubstr("apart"));
  EXPECT_EQ(error_of(one(integer(-4503599627370496.0, 4503599627370496.0))), "");
  EXPECT_EQ(error_of(one(integer(0, 9007199254740992.0))), "");
}

TEST(ValidateSpace, NamesAndChoicesArePrintableAndUnique) {
  EXPECT_THAT(error_of(SearchSpace{}), HasSubstr("at least one parameter"));
  auto named = real(0, 1);
  named.name = std::string("a\0b", 3);
  EXPECT_THAT(error_of(one(named)), HasSubstr("control characters"));
  named.name = "line\nbreak";
  EXPECT_THAT(error_of(one(named)), HasSubstr("line\\nbreak"));
  named.name = "";
  EXPECT_THAT(error_of(one(named)), HasSubstr("empty"));
  SearchSpace twice = one(real(0, 1));
  twice.params.push_back(real(2, 3));
  EXPECT_THAT(error_of(twice), HasSubstr("defined twice"));
  ParamSpec choices{"c", ParamType::categorical, 0, 1, false, 0, {"a", "b", "a"}};
  EXPECT_THAT(error_of(one(choices)), HasSubstr("duplicate choice 'a'"));
  choices.choices = {"a", "tab\there"};
  EXPECT_THAT(error_of(one(choices)), HasSubstr("space.c.choices"));
  choices.choices = {};
  EXPECT_THAT(error_of(one(choices)), HasSubstr("at least one choice"));
}

// The property the rules buy: at the edges of what is accepted, every point of the unit cube maps
// to a finite value inside the bounds, and integers stay exact.
TEST(ValidateSpace, EveryAcceptedSpaceProposesFiniteValuesWithinItsBounds) {
  auto stepped = real(-1e300, 1e300);
  stepped.step = 1e290;
  auto log = real(1e-300, 1e300);
  log.log = true;
  auto wide_log_int = integer(1, 9007199254740992.0);
  wide_log_int.log = true;
  const SearchSpace spaces[] = {one(real(-1e307, 1e307)),
                                one(stepped),
                                one(log),
                                one(integer(-4503599627370496.0, 4503599627370496.0)),
                                one(integer(-9007199254740992.0, 0, 3)),
                                one(integer(-4503599627370496.0, 4503599627370496.0, 7)),
                                one(wide_log_int)};
  for (const auto& space : spaces) {
    ASSERT_EQ(error_of(space), "");
    const auto& spec = space.params.front();
    for (double u : {0.0, 1e-17, 0.25, 0.5, 0.999999, 1.0}) {
      const ParamValue value = value_at(spec, u);
      const double x = as_double({{spec.name, value}}, spec.name);
      EXPECT_TRUE(std::isfinite(x)) << spec.name << " at " << u;
      EXPECT_GE(x, spec.low) << u;
      EXPECT_LE(x, spec.high) << u;
      if (const auto* i = std::get_if<int64_t>(&value)) {
        EXPECT_EQ(static_cast<double>(*i), x);
        EXPECT_EQ((*i - static_cast<int64_t>(spec.low)) % static_cast<int64_t>(spec.step), 0) << *i;
      }
      const auto decoded = decode(space, {u});
      EXPECT_TRUE(std::isfinite(as_double(decoded, spec.name))) << u;
    }
    for (auto rule : {GridRule::paper, GridRule::inclusive})
      for (const auto& value : grid_values(spec, 5, rule)) {
        const double x = as_double({{spec.name, value}}, spec.name);
        EXPECT_TRUE(std::isfinite(x)) << spec.name;
        EXPECT_GE(x, spec.low);
        EXPECT_LE(x, spec.high);
      }
  }
}

}  // namespace
}  // namespace greentune::tune
