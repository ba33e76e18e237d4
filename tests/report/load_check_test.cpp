#include "greentune/report/load_check.hpp"

#include <gtest/gtest.h>

namespace greentune::report {
namespace {

tune::Trial with_share(std::optional<double> share, double load = 1.5) {
  tune::Trial trial;
  trial.conditions.cpu_share = share;
  trial.conditions.load_average_start = load;
  return trial;
}

TEST(LoadCheck, AShareBelowNinetyPercentIsUnderLoad) {
  EXPECT_EQ(load_verdict(with_share(0.95).conditions), LoadVerdict::quiet);
  EXPECT_EQ(load_verdict(with_share(0.9).conditions), LoadVerdict::quiet);
  EXPECT_EQ(load_verdict(with_share(0.89).conditions), LoadVerdict::under_load);
  EXPECT_EQ(load_verdict(with_share(std::nullopt).conditions), LoadVerdict::not_recorded);
  // The load average alone decides nothing: it counts the trial's own threads.
  tune::RunConditions busy_but_alone;
  busy_but_alone.load_average_start = 9;
  EXPECT_EQ(load_verdict(busy_but_alone), LoadVerdict::not_recorded);
  EXPECT_STREQ(to_string(LoadVerdict::under_load), "under load");
}

TEST(LoadCheck, SentenceCountsPerArmAndSaysWhatWasNotRecorded) {
  auto a = with_share(0.5, 3.0), b = with_share(0.97, 2.0), c = with_share(0.96, 2.2),
       d = with_share(std::nullopt);
  auto bayes = count_load({&a, &b}, "bayes");
  auto grid = count_load({&c, &d}, "grid");
  auto total = count_load({&a, &b, &c, &d});
  EXPECT_EQ(total.trials, 4u);
  EXPECT_EQ(total.under_load, 1u);
  EXPECT_EQ(total.not_recorded, 1u);
  // Median share of 0.5, 0.97, 0.96 is 0.96; median load at start of 3, 2, 2.2, 1.5 is 2.1.
  EXPECT_EQ(load_sentence(total, {bayes, grid}),
            "1 of 3 trials ran under load (median CPU share 0.96, median load average at start "
            "2.1): bayes 1 of 2, grid 0 of 1. 1 more trials recorded no load figures.");
  EXPECT_EQ(load_sentence(count_load({&d})),
            "The machine's load was not recorded for any of the 1 trials.");
  EXPECT_NE(load_rule_text().find("more than 10 %"), std::string::npos);
}

}  // namespace
}  // namespace greentune::report
