// The report's section on early stopping and energy budgets, from hand-made study records.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greentune/report/html.hpp"
#include "greentune/report/pruning_section.hpp"

namespace greentune::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

tune::Trial trial(int number, tune::TrialState state, int steps, double joules) {
  tune::Trial t;
  t.number = number;
  t.state = state;
  t.joules = joules;
  for (int s = 1; s <= steps; ++s)
    t.intermediate.push_back({s, {0.5}, 1.0 * s, joules * s / steps});
  if (state == tune::TrialState::complete) t.values = {0.8};
  return t;
}

StudyRecord study(const std::string& name, nlohmann::json config, std::vector<tune::Trial> trials) {
  StudyRecord record;
  record.info.name = name;
  record.config = std::move(config);
  record.trials = std::move(trials);
  return record;
}

TEST(PruningSection, ShowsPrunedJoulesAndTheSavingsLabelledAnEstimate) {
  nlohmann::json config = {
      {"pruner", {{"kind", "asha"}, {"min_step", 1}, {"max_step", 9}, {"reduction", 3}}},
      {"max_joules", 1000.0},
      {"max_trial_joules", 0}};
  auto over = trial(4, tune::TrialState::failed, 2, 40);
  over.error = "energy budget: the trial used 40 J, more than max_trial_joules = 30 J";
  std::vector<StudyRecord> studies{
      study("exp/<asha>", config,
            {trial(1, tune::TrialState::complete, 9, 90), trial(2, tune::TrialState::pruned, 1, 10),
             trial(3, tune::TrialState::pruned, 3, 30), over}),
      study("plain", nlohmann::json::object(), {trial(1, tune::TrialState::complete, 9, 90)})};
  auto rows = pruning_rows(studies);
  ASSERT_EQ(rows.size(), 1u);  // the plain study has nothing to show
  EXPECT_EQ(rows[0].pruned, 2);
  EXPECT_DOUBLE_EQ(rows[0].pruned_joules, 40);
  // 8 + 6 steps not run at the complete trial's 10 J per step.
  EXPECT_DOUBLE_EQ(rows[0].estimated_saved_joules, 140);
  EXPECT_EQ(rows[0].pruner, "asha (min_step 1, max_step 9, reduction 3)");
  EXPECT_DOUBLE_EQ(rows[0].joules, 170);

  const std::string html = pruning_section_html(studies);
  EXPECT_THAT(html, HasSubstr("<h2>Early stopping and energy budgets</h2>"));
  EXPECT_THAT(html, HasSubstr("exp/&lt;asha&gt;"));  // store contents are escaped
  EXPECT_THAT(html, Not(HasSubstr("<asha>")));
  EXPECT_THAT(html, HasSubstr("saved by pruning (estimate)"));
  EXPECT_THAT(html, HasSubstr("about 140.0 J (14 steps not run x 10 J per step, the median of 1 "
                              "complete trials)"));
  EXPECT_THAT(html, HasSubstr("study: 170.0 J of 1000.0 J"));
  EXPECT_THAT(html, Not(HasSubstr("plain")));
  EXPECT_THAT(html, HasSubstr("an estimate, not a measurement"));
}

TEST(PruningSection, LeftOutWhenNoStudyPrunesAndUnreadableSettingsAreIgnored) {
  std::vector<StudyRecord> studies{
      study("plain", nlohmann::json::object(), {trial(1, tune::TrialState::complete, 3, 3)}),
      study("garbage", {{"pruner", "asha please"}, {"max_joules", "lots"}},
            {trial(1, tune::TrialState::complete, 3, 3)})};
  EXPECT_EQ(pruning_section_html(studies), "");
  // A pruned trial is shown even when the stored settings cannot be read.
  studies[1].trials.push_back(trial(2, tune::TrialState::pruned, 1, 1));
  auto rows = pruning_rows(studies);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pruner, "none");
  EXPECT_EQ(rows[0].pruned, 1);
}

TEST(PruningSection, IsInTheWholeReport) {
  nlohmann::json config = {{"pruner", {{"kind", "median"}, {"max_step", 5}}}};
  std::vector<StudyRecord> studies{
      study("m", config, {trial(1, tune::TrialState::complete, 5, 5)})};
  EXPECT_THAT(render_report_html(studies, {}), HasSubstr("id=\"pruning\""));
}

}  // namespace
}  // namespace greentune::report
