#include "greentune/tune/pruner_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/asha_pruner.hpp"
#include "greentune/tune/hyperband_pruner.hpp"

namespace greentune::tune {
namespace {

using ::testing::HasSubstr;

// The [pruner] table of a TOML text, parsed as if from study.toml.
PrunerConfig parse(const std::string& text) {
  const auto document = toml::parse(text, std::string_view("study.toml"));
  return parse_pruner_table(*document["pruner"].as_table(), std::filesystem::path("study.toml"));
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(PrunerConfigTest, ReadsEveryKey) {
  const auto config = parse(R"(
[pruner]
kind = "hyperband"
min_step = 2
max_step = 30
reduction = 4
warmup_trials = 7
min_peers = 0
)");
  EXPECT_EQ(config.kind, PrunerKind::hyperband);
  EXPECT_EQ(config.min_step, 2);
  EXPECT_EQ(config.max_step, 30);
  EXPECT_EQ(config.reduction, 4);
  EXPECT_EQ(config.warmup_trials, 7);
  EXPECT_EQ(config.min_peers, 0);
}

TEST(PrunerConfigTest, ReductionDefaultsToTwoForAshaAndThreeForHyperband) {
  EXPECT_EQ(parse("[pruner]\nkind = \"asha\"\n").reduction, 2);
  EXPECT_EQ(parse("[pruner]\nkind = \"hyperband\"\nmax_step = 9\n").reduction, 3);
  EXPECT_EQ(parse("[pruner]\nkind = \"asha\"\nreduction = 3\n").reduction, 3);
  // A stored study's settings without the key read back with the same defaults.
  EXPECT_EQ(pruner_config_from_json({{"kind", "asha"}}).reduction, 2);
  EXPECT_EQ(pruner_config_from_json({{"kind", "hyperband"}, {"max_step", 9}}).reduction, 3);
}

TEST(PrunerConfigTest, DefaultsAndTheIssueExample) {
  const auto config = parse("[pruner]\nkind = \"median\"\n");
  EXPECT_EQ(config.min_step, 1);
  EXPECT_EQ(config.max_step, 0);
  EXPECT_EQ(config.reduction, 3);
  EXPECT_EQ(config.warmup_trials, 5);
  EXPECT_EQ(config.min_peers, 2);
  // Keys another kind uses are accepted (the issue's example lists them all with asha).
  EXPECT_EQ(parse(R"(
[pruner]
kind = "asha"
min_step = 1
max_step = 20
reduction = 3
warmup_trials = 5
)")
                .kind,
            PrunerKind::asha);
}

TEST(PrunerConfigTest, ErrorsNameTheFileLineKeyAndExpectation) {
  EXPECT_EQ(error_of("[pruner]\nkind = \"asha\"\nreductoin = 3\n"),
            "study.toml:3: pruner.reductoin: unknown key (expected one of: kind, min_step, "
            "max_step, reduction, min_peers, warmup_trials)");
  EXPECT_EQ(error_of("[pruner]\nkind = \"sha\"\n"),
            "study.toml:2: pruner.kind: pruner kind \"sha\": expected none, median, asha or "
            "hyperband");
  EXPECT_EQ(error_of("[pruner]\nkind = 3\n"),
            "study.toml:2: pruner.kind: expected a string (none, median, asha or hyperband), got "
            "integer");
  EXPECT_THAT(error_of("\n[pruner]\nmin_step = 1\n"),
              HasSubstr("study.toml:2: [pruner]: pruner.kind: missing"));
  EXPECT_EQ(error_of("[pruner]\nkind = \"asha\"\nmin_step = 0\n"),
            "study.toml:3: pruner.min_step: expected an integer from 1 to 100000, got 0");
  EXPECT_EQ(error_of("[pruner]\nkind = \"asha\"\nmin_step = 1.5\n"),
            "study.toml:3: pruner.min_step: expected an integer, got float");
  EXPECT_EQ(error_of("[pruner]\nkind = \"asha\"\nreduction = 1\n"),
            "study.toml:3: pruner.reduction: expected an integer from 2 to 100, got 1");
  EXPECT_EQ(error_of("[pruner]\nkind = \"asha\"\nmin_peers = -1\n"),
            "study.toml:3: pruner.min_peers: expected an integer from 0 to 1000, got -1");
  EXPECT_EQ(error_of("[pruner]\nkind = \"median\"\nwarmup_trials = -1\n"),
            "study.toml:3: pruner.warmup_trials: expected an integer from 0 to 1000000, got -1");
  EXPECT_EQ(error_of("[pruner]\nkind = \"asha\"\nmin_step = 5\nmax_step = 5\n"),
            "study.toml:4: pruner.max_step: expected max_step > min_step (nothing can be stopped "
            "before the full length), got max_step = 5 and min_step = 5");
  EXPECT_EQ(error_of("[pruner]\nkind = \"asha\"\nmax_step = \"20\"\n"),
            "study.toml:3: pruner.max_step: expected an integer, got string");
}

TEST(PrunerConfigTest, HyperbandNeedsTheFullLength) {
  PrunerConfig config;
  config.kind = PrunerKind::hyperband;
  EXPECT_THROW(make_pruner(config), InputError);
  try {
    validate_pruner_config(config, "study.toml");
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("study.toml: pruner.max_step: hyperband needs"));
  }
  config.max_step = 20;
  EXPECT_EQ(make_pruner(config)->name(), "hyperband");
}

TEST(PrunerConfigTest, MakesEachKind) {
  PrunerConfig config;
  config.max_step = 20;
  for (auto kind :
       {PrunerKind::none, PrunerKind::median, PrunerKind::asha, PrunerKind::hyperband}) {
    config.kind = kind;
    EXPECT_EQ(make_pruner(config)->name(), to_string(kind));
  }
  config.kind = PrunerKind::asha;
  const auto pruner = make_pruner(config);
  // 9 * 3 > 20: a trial kept at step 9 would not run 3 times as long again.
  EXPECT_EQ(dynamic_cast<const AshaPruner&>(*pruner).rungs(), (std::vector<int>{1, 3}));
  config.reduction = 1;
  EXPECT_THROW(make_pruner(config), InputError);
}

TEST(PrunerConfigTest, PrunersRefuseSettingsThatWouldLoopOrExplode) {
  // reduction 1 would never leave the rung loop; a huge max_step would make Hyperband's cycle huge.
  EXPECT_THROW(AshaPruner(1, 20, 1), InputError);
  EXPECT_THROW(AshaPruner(0, 20, 3), InputError);
  EXPECT_THROW(HyperbandPruner(1, 1 << 30, 2), InputError);
  EXPECT_THROW(HyperbandPruner(5, 4, 2), InputError);
  EXPECT_NO_THROW(HyperbandPruner(1, kMaxPrunerSteps, 2));
}

TEST(PrunerConfigTest, JsonRoundTrip) {
  PrunerConfig config;
  config.kind = PrunerKind::asha;
  config.min_step = 2;
  config.max_step = 18;
  config.reduction = 2;
  config.warmup_trials = 0;
  config.min_peers = 4;
  const auto back = pruner_config_from_json(pruner_config_to_json(config));
  EXPECT_EQ(back.kind, config.kind);
  EXPECT_EQ(back.min_step, 2);
  EXPECT_EQ(back.max_step, 18);
  EXPECT_EQ(back.reduction, 2);
  EXPECT_EQ(back.warmup_trials, 0);
  EXPECT_EQ(back.min_peers, 4);
  EXPECT_EQ(pruner_config_from_json({{"kind", "asha"}}).min_peers, 2);
  EXPECT_THROW(pruner_config_from_json({{"kind", "asha"}, {"min_peers", -1}}), InputError);
  EXPECT_THROW(pruner_config_from_json({{"kind", "asha"}, {"min_step", "x"}}), InputError);
  EXPECT_THROW(pruner_config_from_json({{"kind", "asha"}, {"reduction", 0}}), InputError);
  EXPECT_THROW(pruner_config_from_json(nlohmann::json::object()), InputError);
}

EnergyBudget budget_of(const std::string& text) {
  const auto document = toml::parse(text, std::string_view("study.toml"));
  return parse_energy_budget(*document["study"].as_table(), "study.toml");
}

std::string budget_error(const std::string& text) {
  try {
    budget_of(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(EnergyBudgetConfigTest, ReadsBothBudgetsAsNumbers) {
  const auto budget =
      budget_of("[study]\nname = \"x\"\nmax_joules = 5e5\nmax_trial_joules = 2000\n");
  EXPECT_DOUBLE_EQ(budget.max_joules, 5e5);
  EXPECT_DOUBLE_EQ(budget.max_trial_joules, 2000);
  const auto none = budget_of("[study]\nname = \"x\"\n");
  EXPECT_DOUBLE_EQ(none.max_joules, 0);
  EXPECT_DOUBLE_EQ(none.max_trial_joules, 0);
}

TEST(EnergyBudgetConfigTest, RejectsNonPositiveAndNonNumbers) {
  EXPECT_EQ(budget_error("[study]\nmax_joules = 0\n"),
            "study.toml:2: study.max_joules: expected a number of joules > 0, got 0");
  EXPECT_EQ(budget_error("[study]\nmax_trial_joules = -1.5\n"),
            "study.toml:2: study.max_trial_joules: expected a number of joules > 0, got -1.5");
  EXPECT_EQ(budget_error("[study]\nmax_joules = \"500 kJ\"\n"),
            "study.toml:2: study.max_joules: expected a number of joules, got string");
  EXPECT_THAT(budget_error("[study]\nmax_joules = inf\n"),
              HasSubstr("expected a number of joules > 0"));
}

}  // namespace
}  // namespace greentune::tune
