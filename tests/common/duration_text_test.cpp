#include "greentune/common/duration_text.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace greentune {
namespace {

TEST(DurationText, PicksTheUnitsThatFit) {
  EXPECT_EQ(duration_text(0), "0s");
  EXPECT_EQ(duration_text(59.4), "59s");
  EXPECT_EQ(duration_text(185), "3m05s");
  EXPECT_EQ(duration_text(7800), "2h10m");
}

TEST(DurationText, UnknownIsAQuestionMark) {
  EXPECT_EQ(duration_text(-1), "?");
  EXPECT_EQ(duration_text(std::nan("")), "?");
}

}  // namespace
}  // namespace greentune
