#include "greentune/report/svg_axis.hpp"

#include <gtest/gtest.h>

namespace greentune::report {
namespace {

TEST(LinearTicks, StepsOfOneTwoOrFiveWidenedToTheData) {
  auto t = linear_ticks(0, 0.93);
  EXPECT_DOUBLE_EQ(t.step, 0.2);
  EXPECT_DOUBLE_EQ(t.low, 0);
  EXPECT_DOUBLE_EQ(t.high, 1.0);
  ASSERT_EQ(t.values.size(), 6u);
  EXPECT_DOUBLE_EQ(t.values[3], 3 * 0.2);  // from a count of steps, not a running sum
  t = linear_ticks(137, 2810);
  EXPECT_DOUBLE_EQ(t.step, 500);
  EXPECT_DOUBLE_EQ(t.low, 0);
  EXPECT_DOUBLE_EQ(t.high, 3000);
  t = linear_ticks(0.8012, 0.8231);
  EXPECT_DOUBLE_EQ(t.step, 0.005);
  EXPECT_NEAR(t.low, 0.8, 1e-12);
  EXPECT_NEAR(t.high, 0.825, 1e-12);
}

TEST(LinearTicks, IntegerAxesAndDegenerateRanges) {
  auto t = linear_ticks(1, 3, 6, true);
  EXPECT_DOUBLE_EQ(t.step, 1);
  EXPECT_EQ(t.values, (std::vector<double>{1, 2, 3}));
  t = linear_ticks(1, 64, 6, true);  // 0..70 by 10 rather than 0..80 by 20
  EXPECT_DOUBLE_EQ(t.step, 10);
  EXPECT_DOUBLE_EQ(t.high, 70);
  t = linear_ticks(1, 12, 6, true);  // 0..12 by 2 rather than 0..15 by 5
  EXPECT_DOUBLE_EQ(t.step, 2);
  EXPECT_DOUBLE_EQ(t.high, 12);
  t = linear_ticks(5, 5);
  EXPECT_LT(t.low, 5);
  EXPECT_GT(t.high, 5);
  t = linear_ticks(NAN, 1);
  EXPECT_DOUBLE_EQ(t.low, 0);
  EXPECT_DOUBLE_EQ(t.high, 1);
}

TEST(LogTicks, DecadesWithTwoAndFiveOnShortRanges) {
  auto t = log_ticks(30, 4000);
  EXPECT_DOUBLE_EQ(t.low, 20);
  EXPECT_DOUBLE_EQ(t.high, 5000);
  EXPECT_EQ(t.values, (std::vector<double>{20, 50, 100, 200, 500, 1000, 2000, 5000}));
  t = log_ticks(0.3, 2e5);  // over three decades: whole decades only, ends included
  std::vector<double> decades = {0.1, 1, 10, 100, 1000, 1e4, 1e5, 1e6};
  ASSERT_EQ(t.values.size(), decades.size());
  for (size_t i = 0; i < decades.size(); ++i)
    EXPECT_NEAR(t.values[i], decades[i], decades[i] * 1e-12);
}

TEST(AxisTicks, FixedEndsAreKept) {
  Axis accuracy{"accuracy", ""};
  accuracy.min = 0;
  accuracy.max = 1;
  auto t = axis_ticks(accuracy, 0.3, 0.9);
  EXPECT_DOUBLE_EQ(t.low, 0);
  EXPECT_DOUBLE_EQ(t.high, 1);
  EXPECT_DOUBLE_EQ(t.values.back(), 1);
  Axis bars{"energy", "J"};
  bars.include_zero = true;
  EXPECT_DOUBLE_EQ(axis_ticks(bars, 120, 180).low, 0);
}

TEST(SiText, EngineeringPrefixesForJoules) {
  EXPECT_EQ(si_text(1530, "J"), "1.53 kJ");
  EXPECT_EQ(si_text(149, "J"), "149 J");
  EXPECT_EQ(si_text(8.04, "J"), "8.04 J");
  EXPECT_EQ(si_text(0.0123, "J"), "12.3 mJ");
  EXPECT_EQ(si_text(2.5e6, "J"), "2.5 MJ");
  EXPECT_EQ(si_text(999.9, "J"), "1 kJ");  // rounded before the prefix is chosen
  EXPECT_EQ(si_text(0, "J"), "0 J");
  EXPECT_EQ(si_text(-1500, "J"), "-1.5 kJ");
  EXPECT_EQ(si_text(NAN, "J"), "n/a");
}

TEST(AxisText, OnePrefixPerLinearAxisInItsTitle) {
  Axis energy{"cumulative energy, measured", "J"};
  auto text = axis_text(energy, linear_ticks(0, 4300));
  EXPECT_EQ(text.title, "cumulative energy, measured (kJ)");
  EXPECT_EQ(text.tick_labels, (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  text = axis_text(energy, linear_ticks(0, 430));
  EXPECT_EQ(text.title, "cumulative energy, measured (J)");
  text = axis_text(energy, linear_ticks(1000, 1800));
  EXPECT_EQ(text.tick_labels.front(), "1.0");  // one count of decimals on the whole axis
  EXPECT_EQ(text.tick_labels[1], "1.2");
  Axis accuracy{"accuracy", ""};
  text = axis_text(accuracy, linear_ticks(0.8, 0.825));
  EXPECT_EQ(text.title, "accuracy");
  EXPECT_EQ(text.tick_labels.front(), "0.800");
  EXPECT_EQ(text.tick_labels[1], "0.805");
  Axis change{"energy change", "%"};
  EXPECT_EQ(axis_text(change, linear_ticks(-10, 95)).title, "energy change (%)");
}

}  // namespace
}  // namespace greentune::report
