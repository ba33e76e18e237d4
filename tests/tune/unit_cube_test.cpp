#include "greentune/tune/unit_cube.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace greentune::tune {
namespace {

SearchSpace mixed_space() {
  SearchSpace space;
  space.params.push_back({"lr", ParamType::real, 1e-5, 1e-1, true, 0, {}});
  space.params.push_back({"layers", ParamType::integer, 1, 7, false, 2, {}});
  space.params.push_back({"act", ParamType::categorical, 0, 1, false, 0, {"relu", "tanh", "gelu"}});
  space.params.push_back({"drop", ParamType::real, 0, 0.5, false, 0.1, {}});
  return space;
}

TEST(UnitCube, EncodeDecodeRoundTripsAndUsesLogSpaceAndOneHot) {
  const auto space = mixed_space();
  EXPECT_EQ(encoded_dimension(space), 6);
  const Params p{{"lr", 1e-3}, {"layers", int64_t{5}}, {"act", "tanh"}, {"drop", 0.3}};
  const auto x = encode(space, p);
  ASSERT_TRUE(x);
  EXPECT_NEAR((*x)[0], 0.5, 1e-12);  // 1e-3 is halfway between 1e-5 and 1e-1 in log space
  EXPECT_NEAR((*x)[1], 4.0 / 6.0, 1e-12);
  EXPECT_EQ((*x)[2], 0);
  EXPECT_EQ((*x)[3], 1);
  EXPECT_EQ((*x)[4], 0);
  EXPECT_TRUE(same_point(decode(space, *x), p));
}

TEST(UnitCube, DecodeRoundsToStepsAndClamps) {
  const auto space = mixed_space();
  const auto p = decode(space, {1.7, 0.45, 0.2, 0.1, 0.3, -4});
  EXPECT_DOUBLE_EQ(std::get<double>(p.at("lr")), 1e-1);
  EXPECT_EQ(std::get<int64_t>(p.at("layers")), 3);  // 1 + 0.45 * 6 = 3.7 -> nearest step 3
  EXPECT_EQ(std::get<std::string>(p.at("act")), "gelu");
  EXPECT_DOUBLE_EQ(std::get<double>(p.at("drop")), 0);
}

TEST(UnitCube, PointsFromAnotherSpaceAreNotEncoded) {
  const auto space = mixed_space();
  EXPECT_FALSE(encode(space, {{"lr", 1e-3}}));
  EXPECT_FALSE(
      encode(space, {{"lr", 1e-3}, {"layers", int64_t{3}}, {"act", "swish"}, {"drop", 0.1}}));
  EXPECT_FALSE(
      encode(space, {{"lr", "big"}, {"layers", int64_t{3}}, {"act", "relu"}, {"drop", 0.1}}));
  EXPECT_FALSE(
      encode(space, {{"lr", -1.0}, {"layers", int64_t{3}}, {"act", "relu"}, {"drop", 0.1}}));
}

TEST(UnitCube, SeededGeneratorsDependOnSeedNumberAndStreamOnly) {
  EXPECT_EQ(seeded_rng(1, 2, 3)(), seeded_rng(1, 2, 3)());
  EXPECT_NE(seeded_rng(1, 2, 3)(), seeded_rng(1, 3, 3)());
  EXPECT_NE(seeded_rng(1, 2, 3)(), seeded_rng(2, 2, 3)());
  EXPECT_NE(seeded_rng(1, 2, 3)(), seeded_rng(1, 2, 4)());
}

}  // namespace
}  // namespace greentune::tune
