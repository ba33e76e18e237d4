#include "greentune/command/placeholders.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "greentune/common/error.hpp"

namespace greentune::command {
namespace {

TEST(Placeholders, ExpandInsideLargerArgumentsAndKeepEscapedBraces) {
  std::map<std::string, std::string> values = {{"lr", "0.001"}, {"bs", "64"}};
  EXPECT_EQ(expand("--lr={lr}", values), "--lr=0.001");
  EXPECT_EQ(expand("{lr}{bs}", values), "0.00164");
  EXPECT_EQ(expand("{{\"lr\": {lr}}}", values), "{\"lr\": 0.001}");
  EXPECT_EQ(expand("plain } text", values), "plain } text");
  EXPECT_THROW(expand("{nope}", values), InputError);
}

TEST(Placeholders, NamesAreListedAndMalformedOnesRefused) {
  EXPECT_EQ(placeholder_names("a{x}b{{c}}{y}", "arg"), (std::vector<std::string>{"x", "y"}));
  EXPECT_THROW(placeholder_names("{x", "arg"), InputError);
  EXPECT_THROW(placeholder_names("{}", "arg"), InputError);
  EXPECT_THROW(placeholder_names("{a{b}", "arg"), InputError);
}

// A program must read back exactly the double the sampler proposed.
TEST(Placeholders, FloatsRoundTripIntsStayIntsCategoricalsAreText) {
  for (double v : {0.1, 1e-5, 0.0001234567890123, 3.0, 1.0 / 3.0, 2.5e-300, 123456789.125}) {
    const std::string text = value_text(v);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
  }
  EXPECT_EQ(value_text(int64_t{64}), "64");
  EXPECT_EQ(value_text(int64_t{-3}), "-3");
  EXPECT_EQ(value_text(std::string("relu")), "relu");
}

TEST(Placeholders, EnvironmentNamesAreUpperCasedWithUnderscores) {
  EXPECT_EQ(param_env_name("lr"), "GREENTUNE_PARAM_LR");
  EXPECT_EQ(param_env_name("batch-size.x"), "GREENTUNE_PARAM_BATCH_SIZE_X");
  EXPECT_EQ(param_env_name("ß"), "GREENTUNE_PARAM___");  // two bytes of UTF-8, two '_'
}

}  // namespace
}  // namespace greentune::command
