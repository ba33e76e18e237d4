// Several objectives, metrics and constraints in study configs, and how a stored study's
// objectives read back.
#include "greentune/tune/study_objectives.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/config.hpp"
#include "greentune/tune/metrics.hpp"

namespace greentune::tune {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kTrain = R"(
[study]
name = "trade-off"
objective = "train"
[space]
lr = { low = 0.001, high = 0.1, log = true }
)";

StudyConfig parse(const std::string& text) {
  return parse_study_config(toml::parse(text), "s.toml");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const std::string kCommand = R"(
[study]
name = "script"
objective = "command"
[space]
lr = { low = 0.001, high = 0.1, log = true }
)";

TEST(StudyObjectives, CommandMetricsComeFromItsTableWithDirectionsInferred) {
  auto config = parse(kCommand + "[command]\nargv = [\"t\"]\nmetrics = [\"f1\", \"joules\"]\n");
  EXPECT_THAT(config.objectives.metrics, ElementsAre("f1", "joules"));
  EXPECT_THAT(config.objectives.directions, ElementsAre(Direction::maximize, Direction::minimize));
  config = parse(kCommand + "[command]\nargv = [\"t\"]\nmetric = \"val_loss\"\n");
  EXPECT_THAT(config.objectives.metrics, ElementsAre("val_loss"));
  EXPECT_EQ(config.direction, Direction::minimize);
  config = parse(kCommand + "[command]\nargv = [\"t\"]\nmetric = \"accuracy\"\n");
  EXPECT_EQ(config.direction, Direction::maximize);
  // A direction given wins, and must match the metrics' count.
  config =
      parse(std::string(kCommand).insert(kCommand.find("[space]"), "direction = \"minimize\"\n") +
            "[command]\nargv = [\"t\"]\nmetric = \"score\"\n");
  EXPECT_EQ(config.direction, Direction::minimize);
  EXPECT_THAT(error_of(std::string(kCommand).insert(kCommand.find("[space]"),
                                                    "direction = \"minimize\"\n") +
                       "[command]\nargv = [\"t\"]\nmetrics = [\"a\", \"joules\"]\n"),
              HasSubstr("1 direction(s) for 2 metric(s)"));
}

TEST(StudyObjectives, TrainMetricsTakeTheirNaturalDirectionsByDefault) {
  const auto config = parse(kTrain + "[train]\nmetrics = [\"accuracy\", \"joules\"]\n");
  EXPECT_THAT(config.objectives.metrics, ElementsAre("accuracy", "joules"));
  EXPECT_THAT(config.objectives.directions, ElementsAre(Direction::maximize, Direction::minimize));
  EXPECT_EQ(config.direction, Direction::maximize);
  EXPECT_TRUE(config.objectives.multi_objective());
  EXPECT_FALSE(config.objectives.constrained());
  // The metrics are stored as listed; the objective's default alone is stored as none.
  EXPECT_THAT(stored_metrics(config.objectives.metrics, "train"),
              ElementsAre("accuracy", "joules"));
  EXPECT_TRUE(stored_metrics({"accuracy"}, "train").empty());
  EXPECT_TRUE(stored_metrics({"f1", "f2"}, "zdt1").empty());
}

TEST(StudyObjectives, DirectionListAndStringBothWork) {
  auto config = parse(kTrain + "[train]\nmetrics = [\"seconds\", \"accuracy\"]\n" +
                      "[constraints]\n");  // an empty table is no constraint
  EXPECT_THAT(config.objectives.directions, ElementsAre(Direction::minimize, Direction::maximize));
  const std::string listed = R"(
[study]
name = "x"
objective = "train"
direction = ["maximize", "maximize"]
[space]
lr = { low = 0.001, high = 0.1 }
[train]
metrics = ["accuracy", "parameters"]
)";
  EXPECT_THAT(parse(listed).objectives.directions,
              ElementsAre(Direction::maximize, Direction::maximize));
  // The classic single-objective study: a string, no metric list.
  config = parse("[study]\nname = \"b\"\nobjective = \"branin\"\ndirection = \"maximize\"\n");
  EXPECT_THAT(config.objectives.metrics, ElementsAre("value"));
  EXPECT_THAT(config.objectives.directions, ElementsAre(Direction::maximize));
  EXPECT_EQ(config.direction, Direction::maximize);
  EXPECT_FALSE(config.objectives.multi_objective());
}

TEST(StudyObjectives, MultiObjectiveBenchmarksMinimiseBothValues) {
  const auto config = parse("[study]\nname = \"z\"\nobjective = \"zdt1\"\n");
  EXPECT_THAT(config.objectives.metrics, ElementsAre("f1", "f2"));
  EXPECT_THAT(config.objectives.directions, ElementsAre(Direction::minimize, Direction::minimize));
  EXPECT_EQ(config.space.params.size(), 6u);
  // A smaller cube of its own is fine as long as it starts at x0, x1.
  EXPECT_EQ(error_of("[study]\nname = \"z\"\nobjective = \"dtlz2\"\n[space]\n"
                     "x0 = { low = 0.0, high = 1.0 }\nx1 = { low = 0.0, high = 1.0 }\n"),
            "");
  EXPECT_THAT(error_of("[study]\nname = \"z\"\nobjective = \"zdt2\"\n[space]\n"
                       "x1 = { low = 0.0, high = 1.0 }\n"),
              HasSubstr("needs a numeric parameter 'x0'"));
}

TEST(StudyObjectives, BadMetricsAndDirectionsAreNamedWithTheirLine) {
  EXPECT_THAT(error_of(kTrain + "[train]\nmetrics = [\"accuracy\", \"watts\"]\n"),
              HasSubstr("s.toml:8: train.metrics: unknown metric \"watts\"; the train objective "
                        "offers accuracy, joules, seconds, parameters"));
  EXPECT_THAT(error_of(kTrain + "[train]\nmetrics = [\"joules\", \"joules\"]\n"),
              HasSubstr("metric \"joules\" is listed twice"));
  EXPECT_THAT(error_of(kTrain + "[train]\nmetrics = []\n"),
              HasSubstr("train.metrics: expected a list of 1 to 4 metric names"));
  EXPECT_THAT(error_of(kTrain + "[train]\nmetrics = \"joules\"\n"),
              HasSubstr("train.metrics: expected a list"));
  const std::string one_direction = R"(
[study]
name = "x"
objective = "train"
direction = "maximize"
[space]
lr = { low = 0.001, high = 0.1 }
[train]
metrics = ["accuracy", "joules"]
)";
  EXPECT_THAT(error_of(one_direction),
              HasSubstr("s.toml:5: study.direction: 1 direction(s) for 2 metric(s)"));
  EXPECT_THAT(
      error_of("[study]\nname = \"b\"\nobjective = \"branin\"\n"
               "direction = [\"minimize\", \"upward\"]\n"),
      HasSubstr("study.direction[1]: expected \"maximize\" or \"minimize\", got \"upward\""));
  EXPECT_THAT(error_of("[study]\nname = \"b\"\nobjective = \"branin\"\ndirection = 3\n"),
              HasSubstr("study.direction: expected \"maximize\", \"minimize\" or a list of them"));
}

TEST(StudyObjectives, ConstraintsAreBoundToTheirMetricOrMeasurement) {
  const auto config = parse(kTrain + "[train]\nmetrics = [\"joules\"]\n" +
                            "[constraints]\naccuracy = \">= 0.85\"\njoules = \"<= 2000\"\n");
  ASSERT_EQ(config.objectives.constraints.size(), 2u);
  const auto& accuracy = config.objectives.constraints[0];
  EXPECT_EQ(accuracy.quantity, "accuracy");
  EXPECT_EQ(accuracy.sense, ConstraintSense::at_least);
  EXPECT_DOUBLE_EQ(accuracy.bound, 0.85);
  EXPECT_EQ(accuracy.objective, -1);  // not an objective: read from the training record
  EXPECT_EQ(accuracy.scale, ValueScale::linear);
  const auto& joules = config.objectives.constraints[1];
  EXPECT_EQ(joules.objective, 0);  // the study's first (only) objective
  EXPECT_EQ(joules.scale, ValueScale::log);
  EXPECT_TRUE(config.objectives.constrained());
  EXPECT_FALSE(config.objectives.multi_objective());
  EXPECT_EQ(config.direction, Direction::minimize);
}

TEST(StudyObjectives, BadConstraintsAreNamed) {
  EXPECT_THAT(error_of("[study]\nname = \"b\"\nobjective = \"branin\"\n"
                       "[constraints]\naccuracy = \">= 0.8\"\n"),
              HasSubstr("s.toml:5: constraints.accuracy: this study has no quantity \"accuracy\"; "
                        "expected one of value, joules, seconds"));
  EXPECT_THAT(error_of("[study]\nname = \"b\"\nobjective = \"branin\"\n"
                       "[constraints]\njoules = \"< 10\"\n"),
              HasSubstr("constraints.joules: constraint on 'joules': expected '<= NUMBER' or "
                        "'>= NUMBER', got '< 10'"));
  EXPECT_THAT(error_of("[study]\nname = \"b\"\nobjective = \"branin\"\n"
                       "[constraints]\njoules = 10\n"),
              HasSubstr("constraints.joules: expected a string such as"));
  EXPECT_THAT(error_of("[study]\nname = \"b\"\nobjective = \"branin\"\nconstraints = 3\n"),
              HasSubstr("study.constraints"));  // [constraints] is a table of its own
}

TEST(StudyObjectives, ReferencePointHasOneNumberPerMetric) {
  auto config =
      parse("[study]\nname = \"z\"\nobjective = \"zdt1\"\nreference_point = [11, 11.5]\n");
  EXPECT_THAT(config.objectives.reference_point, ElementsAre(11.0, 11.5));
  EXPECT_THAT(
      error_of("[study]\nname = \"z\"\nobjective = \"zdt1\"\nreference_point = [11]\n"),
      HasSubstr("study.reference_point: expected a list of 2 numbers, one per metric (f1, f2)"));
  EXPECT_THAT(error_of(kTrain + "reference_point = 1\n[train]\nmetrics = [\"joules\"]\n"),
              HasSubstr("reference_point"));
  const std::string negative_joules = R"(
[study]
name = "x"
objective = "train"
reference_point = [0.5, -3]
[space]
lr = { low = 0.001, high = 0.1 }
[train]
metrics = ["accuracy", "joules"]
)";
  EXPECT_THAT(error_of(negative_joules),
              HasSubstr("study.reference_point[1]: expected a finite number > 0 for joules"));
}

TEST(StudyObjectives, StoredStudyReadsItsObjectivesBackFromInfoAndConfig) {
  const auto config = parse(R"(
[study]
name = "x"
objective = "train"
reference_point = [0.5, 3000]
[space]
lr = { low = 0.001, high = 0.1 }
[train]
metrics = ["accuracy", "joules"]
[constraints]
seconds = "<= 60.5"
)");
  StudyInfo info;
  info.objective = "train";
  info.direction = Direction::maximize;
  info.directions = config.objectives.directions;
  info.metrics = config.objectives.metrics;
  info.config_json = config_to_json(config).dump();
  const auto back = objectives_of(info);
  EXPECT_EQ(back.directions, config.objectives.directions);
  EXPECT_EQ(back.metrics, config.objectives.metrics);
  EXPECT_THAT(back.reference_point, ElementsAre(0.5, 3000.0));
  ASSERT_EQ(back.constraints.size(), 1u);
  EXPECT_EQ(to_string(back.constraints[0]), "seconds <= 60.5");
  EXPECT_EQ(back.constraints[0].scale, ValueScale::log);

  // Untrusted config_json: what does not read is left out, the rest stays.
  info.config_json = R"({"constraints": {"seconds": "about 60", "joules": "<= 5"},
                         "reference_point": [1, "x"]})";
  const auto lenient = objectives_of(info);
  ASSERT_EQ(lenient.constraints.size(), 1u);
  EXPECT_EQ(lenient.constraints[0].quantity, "joules");
  EXPECT_EQ(lenient.constraints[0].objective, 1);
  EXPECT_TRUE(lenient.reference_point.empty());
  info.config_json = "not json";
  EXPECT_TRUE(objectives_of(info).constraints.empty());

  // A StudyInfo from before several objectives: its one direction, the default metric.
  StudyInfo old;
  old.objective = "branin";
  old.direction = Direction::minimize;
  EXPECT_THAT(directions_of(old), ElementsAre(Direction::minimize));
  EXPECT_THAT(metrics_of(old), ElementsAre("value"));
}

TEST(Metrics, ValuesComeFromTheObjectivesOrTheRecord) {
  Trial t;
  t.state = TrialState::complete;
  t.values = {0.9, 120.0};
  t.joules = 150;
  t.seconds = 12;
  t.training = TrainingFigures{};
  t.training->validation_accuracy = 0.88;
  t.training->parameter_count = 4200;
  const std::vector<std::string> metrics = {"accuracy", "joules"};
  EXPECT_EQ(metric_value(t, "accuracy", metrics), 0.9);  // the objective's value
  EXPECT_EQ(metric_value(t, "joules", metrics), 120.0);
  EXPECT_EQ(metric_value(t, "accuracy", {"joules"}), 0.88);  // the record's
  EXPECT_EQ(metric_value(t, "joules", {"accuracy"}), 150.0);
  EXPECT_EQ(metric_value(t, "seconds", metrics), 12.0);
  EXPECT_EQ(metric_value(t, "parameters", metrics), 4200.0);
  EXPECT_FALSE(metric_value(t, "watts", metrics));
  t.training.reset();
  EXPECT_FALSE(metric_value(t, "accuracy", {"joules"}));
  t.state = TrialState::failed;
  EXPECT_FALSE(metric_value(t, "joules", metrics));
  EXPECT_EQ(natural_direction("accuracy"), Direction::maximize);
  EXPECT_EQ(natural_direction("joules"), Direction::minimize);
  EXPECT_EQ(metric_scale("parameters"), ValueScale::log);
  EXPECT_EQ(metric_scale("f1"), ValueScale::linear);
}

}  // namespace
}  // namespace greentune::tune
