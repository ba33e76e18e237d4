// The report's Pareto section for a study with several objectives: which trials it lists, in
// which order, the knee and the cheapest trial within the tolerance, and the chart it draws.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "greentune/report/front_view.hpp"
#include "greentune/report/html.hpp"
#include "report/report_support.hpp"

namespace greentune::report {
namespace {

using testing::count;

tune::Trial trial(int number, double accuracy, double joules) {
  tune::Trial t;
  t.number = number;
  t.state = tune::TrialState::complete;
  t.values = {accuracy, joules};
  t.joules = joules;
  t.params = {{"lr", 0.001 * number}};
  return t;
}

// accuracy (max) and joules (min), accuracy >= 0.5: trial 3 is dominated by trial 2 and trial 5
// is outside the constraint, so the front is 4, 1, 2, 6 by accuracy.
StudyRecord two_objective_study() {
  StudyRecord study;
  study.info.name = "mo";
  study.info.strategy = "bayes";
  study.info.objective = "train";
  study.info.direction = tune::Direction::maximize;
  study.info.directions = {tune::Direction::maximize, tune::Direction::minimize};
  study.info.metrics = {"accuracy", "joules"};
  study.info.config_json = R"({"constraints": {"accuracy": ">= 0.5"}})";
  study.trials = {trial(1, 0.90, 100), trial(2, 0.80, 50), trial(3, 0.70, 80),
                  trial(4, 0.95, 300), trial(5, 0.40, 10), trial(6, 0.60, 20)};
  return study;
}

TEST(FrontView, ListsTheFeasibleNonDominatedTrialsBestFirst) {
  const auto view = front_view(two_objective_study(), {0.06, false}, "estimated");
  std::vector<std::string> numbers;
  for (const auto& row : view.rows) numbers.push_back(row.front());
  EXPECT_EQ(numbers, (std::vector<std::string>{"4", "1", "2", "6"}));
  ASSERT_EQ(view.rows[1].size(), view.header.size());
  EXPECT_EQ(view.rows[1][1], "0.9");
  EXPECT_EQ(view.rows[1][2], "100");
  EXPECT_NE(view.summary.find("4 of 6 complete trials on the front (5 feasible: accuracy >= 0.5)"),
            std::string::npos)
      << view.summary;
  // Within 0.06 of the best accuracy (0.95): trials 4 (300 J) and 1 (100 J).
  EXPECT_NE(view.summary.find("Cheapest within 0.06 of the best accuracy: trial 1 "),
            std::string::npos)
      << view.summary;
  EXPECT_NE(view.summary.find("Knee: trial "), std::string::npos);
  // x: joules, y: accuracy; the front runs left to right in joules.
  EXPECT_EQ(view.chart.x.unit, "J");
  EXPECT_EQ(view.chart.y.label, "accuracy");
  const XYSeries* front = nullptr;
  const XYSeries* outside = nullptr;
  for (const auto& s : view.chart.series) {
    if (s.name == "Pareto front") front = &s;
    if (s.name == "outside the constraints") outside = &s;
  }
  ASSERT_NE(front, nullptr);
  ASSERT_EQ(front->points.size(), 4u);
  EXPECT_DOUBLE_EQ(front->points.front().x, 20);
  EXPECT_DOUBLE_EQ(front->points.back().x, 300);
  ASSERT_NE(outside, nullptr);
  ASSERT_EQ(outside->points.size(), 1u);
  EXPECT_DOUBLE_EQ(outside->points[0].y, 0.40);
}

TEST(FrontView, ReportHasAParetoSectionOnlyForStudiesWithSeveralObjectives) {
  StudyRecord single = two_objective_study();
  single.info.name = "single";
  single.info.directions = {tune::Direction::maximize};
  single.info.metrics = {"accuracy"};
  single.info.config_json = "{}";
  for (auto& t : single.trials) t.values.resize(1);
  ReportOptions options;
  options.accuracy_tolerance = 0.06;
  int charts = 0;
  const std::string html = render_report_html({two_objective_study(), single}, options, &charts);
  EXPECT_EQ(count(html, "<h3>Pareto front: "), 1u);
  EXPECT_NE(html.find("<h3>Pareto front: mo</h3>"), std::string::npos);
  EXPECT_EQ(count(html, "data-chart=\"pareto-front\""), 1u);
  EXPECT_NE(html.find("Cheapest within 0.06 of the best accuracy: trial 1 "), std::string::npos);
  EXPECT_EQ(count(html, "<svg"), static_cast<size_t>(charts));
}

}  // namespace
}  // namespace greentune::report
