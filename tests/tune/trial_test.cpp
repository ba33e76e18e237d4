// The trial record's JSON form: one to_json / trial_from_json pair that every store and output
// uses, so its round trip, its defaults and its refusals are the contract.
#include "greentune/tune/trial.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "greentune/common/error.hpp"

namespace greentune::tune {
namespace {

using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Trial full_trial() {
  Trial t;
  t.id = 41;
  t.number = 7;
  t.state = TrialState::complete;
  t.values = {0.875, 123.5};  // two objectives, in the study's order
  t.params = {{"lr", 0.001},
              {"batch_size", int64_t{64}},
              {"optimizer", std::string("sgd")},
              {"whole", 2.0}};
  t.intermediate = {{1, {0.7, 60.0}, 10.5, 61.25}, {2, {0.875, 123.5}, 20.0, 123.5}};
  t.seconds = 20.5;
  t.joules = 124.0;
  t.energy = {{"package-0", "measured", "powercap", 100.0}, {"gpu-0", "estimated", "nvml", 24.0}};
  t.started_at = 1.7e9;
  t.finished_at = 1.7e9 + 20.5;
  t.heartbeat_at = 1.7e9 + 20.5;
  t.host = "node-1";
  t.pid = 4242;
  t.pid_namespace = "pid:[4026531836]";
  t.retry = false;
  t.error = "";
  t.conditions.load_average_start = 0.25;
  t.conditions.cpu_share = 0.97;
  TrainingFigures training;
  training.model_spec = "simplecnn:conv=2";
  training.parameter_count = 123456;
  training.test_accuracy = 0.86;
  training.validation_accuracy = 0.88;
  training.layer_joules = {{"conv", 70.0}, {"linear", 12.5}};
  training.repetitions = {{1234, 0.87, 0.85, 10.0, 62.0, false},
                          {1235, 0.88, std::nullopt, 10.5, 62.0, true}};
  t.training = training;
  t.attributes = {{"user", {{"note", "mine"}, {"list", {1, 2}}}}};
  return t;
}

TEST(TrialRecord, EveryFieldRoundTripsThroughJson) {
  const Trial t = full_trial();
  // Through text, as stores keep it.
  const Trial back = trial_from_json(nlohmann::json::parse(to_json(t).dump()));
  EXPECT_EQ(back.id, 41);
  EXPECT_EQ(back.number, 7);
  EXPECT_EQ(back.state, TrialState::complete);
  EXPECT_EQ(back.values, t.values);
  EXPECT_EQ(back.value(), 0.875);
  EXPECT_EQ(back.params, t.params);
  EXPECT_TRUE(std::holds_alternative<double>(back.params.at("whole")));  // 2.0 stays a double
  EXPECT_TRUE(std::holds_alternative<int64_t>(back.params.at("batch_size")));
  ASSERT_EQ(back.intermediate.size(), 2u);
  EXPECT_EQ(back.intermediate[0].step, 1);
  EXPECT_EQ(back.intermediate[0].values, (std::vector<double>{0.7, 60.0}));
  EXPECT_EQ(back.intermediate[0].seconds, 10.5);
  EXPECT_EQ(back.intermediate[0].joules, 61.25);
  EXPECT_EQ(back.seconds, 20.5);
  EXPECT_EQ(back.joules, 124.0);
  ASSERT_EQ(back.energy.size(), 2u);
  EXPECT_EQ(back.energy[1].name, "gpu-0");
  EXPECT_EQ(back.energy[1].kind, "estimated");
  EXPECT_EQ(back.energy[1].source, "nvml");
  EXPECT_EQ(back.energy[1].joules, 24.0);
  EXPECT_EQ(back.started_at, t.started_at);
  EXPECT_EQ(back.finished_at, t.finished_at);
  EXPECT_EQ(back.heartbeat_at, t.heartbeat_at);
  EXPECT_EQ(back.host, "node-1");
  EXPECT_EQ(back.pid, 4242);
  EXPECT_EQ(back.pid_namespace, "pid:[4026531836]");
  EXPECT_FALSE(back.retry);
  EXPECT_EQ(back.conditions.load_average_start, 0.25);
  EXPECT_FALSE(back.conditions.load_average_end);
  EXPECT_FALSE(back.conditions.other_cpu_seconds);
  EXPECT_EQ(back.conditions.cpu_share, 0.97);
  ASSERT_TRUE(back.training);
  EXPECT_EQ(back.training->model_spec, "simplecnn:conv=2");
  EXPECT_EQ(back.training->parameter_count, 123456);
  EXPECT_EQ(back.training->test_accuracy, 0.86);
  EXPECT_EQ(back.training->validation_accuracy, 0.88);
  EXPECT_EQ(back.training->layer_joules, t.training->layer_joules);
  ASSERT_EQ(back.training->repetitions.size(), 2u);
  EXPECT_EQ(back.training->repetitions[1].seed, 1235u);
  EXPECT_EQ(back.training->repetitions[1].value, 0.88);
  EXPECT_FALSE(back.training->repetitions[1].test_accuracy);
  EXPECT_TRUE(back.training->repetitions[1].diverged);
  EXPECT_EQ(back.attributes, t.attributes);
  // And the JSON of what was read is the JSON that was written.
  EXPECT_EQ(to_json(back), to_json(t));
}

// JSON has no NaN or infinity: they are written as null and read back as NaN, never as text a
// JSON reader would refuse.
TEST(TrialRecord, NonFiniteNumbersBecomeNullAndReadBackAsNaN) {
  Trial t;
  t.state = TrialState::diverged;
  t.values = {kNaN, kInf};
  t.params = {{"x", -kInf}};
  t.intermediate = {{1, {kNaN}, kNaN, kInf}};
  t.seconds = kInf;
  t.conditions.cpu_share = kNaN;
  nlohmann::json json = to_json(t);
  std::string text = json.dump();
  EXPECT_THAT(text, ::testing::Not(HasSubstr("NaN")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("inf")));
  EXPECT_TRUE(json["values"][1].is_null());
  EXPECT_TRUE(json["params"]["x"].is_null());
  EXPECT_TRUE(json["conditions"]["cpu_share"].is_null());

  Trial back = trial_from_json(nlohmann::json::parse(text));
  ASSERT_EQ(back.values.size(), 2u);
  EXPECT_TRUE(std::isnan(back.values[0]));
  EXPECT_TRUE(std::isnan(back.values[1]));
  EXPECT_FALSE(back.value());  // not a usable value
  EXPECT_TRUE(std::isnan(std::get<double>(back.params.at("x"))));
  EXPECT_TRUE(std::isnan(back.intermediate[0].seconds));
  EXPECT_TRUE(std::isnan(back.intermediate[0].joules));
  EXPECT_TRUE(std::isnan(back.seconds));
  EXPECT_FALSE(back.conditions.cpu_share);  // an optional figure that is null is unset
}

// A record from an older writer (or a hand-written one) lacks keys: each keeps its default, so
// adding a field later needs no store migration. Unknown keys are ignored.
TEST(TrialRecord, MissingKeysKeepTheirDefaultsAndUnknownKeysAreIgnored) {
  Trial back = trial_from_json(nlohmann::json::parse(
      R"({"number": 3, "state": "failed", "error": "out of memory", "future_field": [1]})"));
  EXPECT_EQ(back.number, 3);
  EXPECT_EQ(back.state, TrialState::failed);
  EXPECT_EQ(back.error, "out of memory");
  EXPECT_TRUE(back.values.empty());
  EXPECT_FALSE(back.value());
  EXPECT_TRUE(back.params.empty());
  EXPECT_TRUE(back.intermediate.empty());
  EXPECT_EQ(back.seconds, 0);
  EXPECT_EQ(back.pid, 0);
  EXPECT_FALSE(back.retry);
  EXPECT_FALSE(back.conditions.load_average_start);
  EXPECT_FALSE(back.training);
  EXPECT_TRUE(back.attributes.is_object());
  EXPECT_TRUE(back.attributes.empty());
  // An empty object is a running trial with nothing yet.
  EXPECT_EQ(trial_from_json(nlohmann::json::object()).state, TrialState::running);
  // A report without time or joules: not measured, NaN.
  Trial reported = trial_from_json(nlohmann::json::parse(R"({"intermediate": [{"step": 2}]})"));
  EXPECT_EQ(reported.intermediate.at(0).step, 2);
  EXPECT_TRUE(std::isnan(reported.intermediate.at(0).joules));
}

void expect_refused(const std::string& text, const std::string& field, const std::string& wanted) {
  try {
    trial_from_json(nlohmann::json::parse(text), "store x.db, trial id 9");
    ADD_FAILURE() << text << " was accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("store x.db, trial id 9"));
    EXPECT_THAT(e.what(), HasSubstr(field)) << text;
    EXPECT_THAT(e.what(), HasSubstr(wanted)) << text;
  }
}

TEST(TrialRecord, AWrongTypeNamesTheFieldAndWhatWasExpected) {
  expect_refused(R"({"values": "0.5"})", ".values", "expected an array");
  expect_refused(R"({"values": [0.5, "x"]})", ".values[1]", "expected a number");
  expect_refused(R"({"number": 1.5})", ".number", "expected an integer");
  expect_refused(R"({"number": -1})", ".number", "expected an integer >= 0");
  expect_refused(R"({"state": "done"})", ".state", "expected running, complete");
  expect_refused(R"({"state": 3})", ".state", "expected a string");
  expect_refused(R"({"params": {"lr": true}})", ".params.lr", "expected a number or a string");
  expect_refused(R"({"params": [1]})", ".params", "expected a JSON object");
  expect_refused(R"({"retry": "yes"})", ".retry", "expected true or false");
  expect_refused(R"({"pid": "12"})", ".pid", "expected an integer");
  expect_refused(R"({"host": 5})", ".host", "expected a string");
  expect_refused(R"({"energy": [{"name": "cpu", "joules": "1"}]})", ".energy[0].joules",
                 "expected a number");
  expect_refused(R"({"intermediate": [{"step": "1"}]})", ".intermediate[0].step",
                 "expected an integer");
  expect_refused(R"({"conditions": {"cpu_share": "high"}})", ".conditions.cpu_share",
                 "expected a number");
  expect_refused(R"({"training": {"repetitions": [{"seed": -1}]}})",
                 ".training.repetitions[0].seed", "expected an integer >= 0");
  expect_refused(R"({"training": {"layer_joules": {"conv": "x"}}})", ".training.layer_joules.conv",
                 "expected a number");
  expect_refused(R"({"attributes": []})", ".attributes", "expected an object");
  expect_refused(R"([1, 2])", "trial id 9", "expected a JSON object");
}

TEST(TrialRecord, UsageFromReportsIsTheLastCumulativeFigure) {
  Trial t;
  EXPECT_EQ(usage_from_reports(t).joules, 0);
  t.intermediate = {{1, {0.5}, 10, 100}, {2, {0.6}, 21, 205}, {3, {0.7}, kNaN, kNaN}};
  Usage used = usage_from_reports(t);
  EXPECT_EQ(used.seconds, 21);
  EXPECT_EQ(used.joules, 205);
}

}  // namespace
}  // namespace greentune::tune
