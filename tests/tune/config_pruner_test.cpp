// [pruner] and the energy budgets in a study config: accepted, defaulted from the train objective's
// epochs, refused with the file, key and expectation, and kept with the study's config JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/config.hpp"

namespace greentune::tune {
namespace {

using ::testing::HasSubstr;

StudyConfig parse(const std::string& text) {
  return parse_study_config(toml::parse(std::string_view(text), std::string_view("study.toml")),
                            "study.toml");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const char* kTrain = R"(
[study]
name = "p"
max_joules = 5e5
max_trial_joules = 20000
[space]
lr = { type = "float", low = 1e-4, high = 1e-2, log = true }
[train]
epochs = 9
[pruner]
kind = "asha"
)";

TEST(ConfigPruner, MaxStepDefaultsToTheTrainEpochsAndBudgetsAreRead) {
  const auto config = parse(kTrain);
  EXPECT_EQ(config.pruner.kind, PrunerKind::asha);
  EXPECT_EQ(config.pruner.min_step, 1);
  EXPECT_EQ(config.pruner.max_step, 9);
  EXPECT_EQ(config.pruner.reduction, 2);  // asha's default
  EXPECT_DOUBLE_EQ(config.budget.max_joules, 5e5);
  EXPECT_DOUBLE_EQ(config.budget.max_trial_joules, 2e4);
  const auto json = config_to_json(config);
  EXPECT_EQ(json["pruner"]["kind"], "asha");
  EXPECT_EQ(json["pruner"]["max_step"], 9);
  EXPECT_DOUBLE_EQ(json["max_joules"].get<double>(), 5e5);
  EXPECT_DOUBLE_EQ(json["max_trial_joules"].get<double>(), 2e4);
  EXPECT_EQ(pruner_config_from_json(json["pruner"]).max_step, 9);
}

TEST(ConfigPruner, TunedEpochsGiveTheirLargestValueAndAGivenMaxStepWins) {
  auto config = parse(R"(
[study]
name = "p"
[space]
epochs = { type = "int", low = 2, high = 12 }
[train]
epochs = 3
[pruner]
kind = "hyperband"
)");
  EXPECT_EQ(config.pruner.max_step, 12);
  config = parse(R"(
[study]
name = "p"
[space]
lr = { type = "float", low = 1e-4, high = 1e-2 }
[train]
epochs = 30
[pruner]
kind = "median"
max_step = 10
)");
  EXPECT_EQ(config.pruner.max_step, 10);
}

TEST(ConfigPruner, NoPrunerTableMeansNoneAndNoBudget) {
  const auto config = parse(R"(
[study]
name = "p"
objective = "branin"
)");
  EXPECT_EQ(config.pruner.kind, PrunerKind::none);
  EXPECT_EQ(config.budget.max_joules, 0);
  EXPECT_EQ(config.budget.max_trial_joules, 0);
}

TEST(ConfigPruner, BadSettingsNameTheKey) {
  // One epoch leaves nothing to stop early.
  EXPECT_THAT(error_of(R"(
[study]
name = "p"
[space]
lr = { type = "float", low = 1e-4, high = 1e-2 }
[train]
epochs = 1
[pruner]
kind = "asha"
)"),
              HasSubstr("pruner.max_step: not given, and the train objective's 1 epoch(s)"));
  // ... but kind = "none" needs no length.
  EXPECT_EQ(error_of(R"(
[study]
name = "p"
[space]
lr = { type = "float", low = 1e-4, high = 1e-2 }
[train]
epochs = 1
[pruner]
kind = "none"
)"),
            "");
  EXPECT_THAT(error_of(R"(
[study]
name = "p"
max_joules = -3
objective = "branin"
)"),
              HasSubstr("study.toml:4: study.max_joules: expected a number of joules > 0"));
  EXPECT_THAT(error_of(R"(
[study]
name = "p"
objective = "branin"
[pruner]
kind = "asha"
patience = 3
)"),
              HasSubstr("pruner.patience: unknown key"));
  EXPECT_THAT(error_of(R"(
[study]
name = "p"
objective = "branin"
[pruner]
kind = "hyperband"
)"),
              HasSubstr("hyperband needs the full length"));
}

}  // namespace
}  // namespace greentune::tune
