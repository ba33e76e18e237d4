// End-to-end: `greentune tune` with [pruner] and energy budgets, as a user runs it: the progress
// line, the summary's pruned joules and estimate of the joules saved, the JSON, exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;

class TunePruningCli : public CliTest {
 protected:
  TunePruningCli() : CliTest("tune-pruning") {}

  void write_config(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  nlohmann::json read_json(const std::string& name) {
    return nlohmann::json::parse(slurp(dir_ / name));
  }
};

TEST_F(TunePruningCli, BadPrunerSettingsExitTwoNamingTheKey) {
  write_config("kind.toml",
               "[study]\nname = \"k\"\nobjective = \"branin\"\n[pruner]\nkind = \"fast\"\n");
  CliRun kind = run_cli("tune kind.toml", "kind");
  EXPECT_EQ(kind.exit_code, 2);
  EXPECT_THAT(kind.err, HasSubstr("kind.toml:5: pruner.kind"));
  write_config("budget.toml",
               "[study]\nname = \"b\"\nobjective = \"branin\"\nmax_trial_joules = \"lots\"\n");
  CliRun budget = run_cli("tune budget.toml", "budget");
  EXPECT_EQ(budget.exit_code, 2);
  EXPECT_THAT(budget.err, HasSubstr("study.max_trial_joules: expected a number of joules"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "greentune.db"));
}

// A command study with [pruner]: trial 1 (the first) reports three good epochs; every later trial
// reports a poor first epoch and then waits (its program catches SIGTERM and leaves a mark). ASHA
// (reduction 2, and min_peers 0: a two-trial study has one peer at a rung) must stop it at step 1
// with SIGTERM, keep its report and count it as a round.
// Which trial is which depends on its number, not on the sampler, so the order is fixed.
constexpr const char* kPrunedProgram = R"(#!/bin/bash
dir="$1"
n="$GREENTUNE_TRIAL_NUMBER"
if [ "$n" = 1 ]; then
  for e in 1 2 3; do echo "{\"epoch\": $e, \"score\": $(( 10 * e ))}"; done
  exit 0
fi
trap 'echo term > "$dir/terminated-$n"; exit 0' TERM
echo '{"epoch": 1, "score": 1}'
sleep 60 &
wait
echo '{"epoch": 2, "score": 2}'
echo '{"epoch": 3, "score": 3}'
)";

TEST_F(TunePruningCli, CommandObjectiveIsStoppedWithSigtermAndStoredAsPruned) {
  write_config("prog.sh", kPrunedProgram);
  std::filesystem::permissions(dir_ / "prog.sh", std::filesystem::perms::owner_all);
  write_config("c.toml", R"([study]
name = "c"
storage = "sqlite:c.db"
objective = "command"
direction = "maximize"
strategy = "random"
rounds = 2
[space]
x = { type = "float", low = 0.0, high = 1.0 }
[pruner]
kind = "asha"
min_step = 1
max_step = 3
reduction = 2
min_peers = 0
[command]
argv = ["./prog.sh", ")" + dir_.string() +
                             R"("]
metric = "score"
step = "epoch"
grace_seconds = 30
)");
  CliRun run = run_cli("tune c.toml --json=c.json");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("pruned@1"));
  EXPECT_THAT(run.out, HasSubstr("pruned: 1 trial(s) used"));
  // The program saw SIGTERM (its trap ran), not SIGKILL, and never reported step 2.
  EXPECT_EQ(slurp(dir_ / "terminated-2"), "term\n");
  auto json = read_json("c.json");
  ASSERT_EQ(json["trials"].size(), 2u);
  const auto& kept = json["trials"][0];
  const auto& stopped = json["trials"][1];
  EXPECT_EQ(kept["state"], "complete");
  EXPECT_EQ(kept["intermediate"].size(), 3u);
  EXPECT_EQ(stopped["state"], "pruned");
  ASSERT_EQ(stopped["intermediate"].size(), 1u);
  EXPECT_EQ(stopped["intermediate"][0]["values"], nlohmann::json::array({1}));
  EXPECT_THAT(stopped["error"].get<std::string>(), HasSubstr("rung 0 (step 1)"));
  EXPECT_THAT(stopped["error"].get<std::string>(), HasSubstr("pruned after step 1"));
  EXPECT_EQ(json["summary"]["trials"], 2);  // the pruned trial is a finished round
  EXPECT_EQ(json["pruning"]["pruned_trials"], 1);
  EXPECT_EQ(json["pruning"]["pruned_steps_saved"], 2);
}

#if GREENTUNE_HAS_TORCH
// Two grid points on DensePoly: lr = 1e-6 learns nothing in an epoch, lr = 5e-3 learns a lot.
// Seed 2 visits the good one first, so ASHA (reduction 2, min_peers 0: one peer in two trials)
// stops the other at its first epoch.
constexpr const char* kTwoPointsStudy = R"(
[study]
name = "prune"
storage = "sqlite:prune.db"
strategy = "grid"
objective = "train"
rounds = 2
seed = 2
)";
constexpr const char* kTwoPointsRest = R"(
[sampler]
grid_points = 2
[space.lr]
type = "float"
low = 1e-6
high = 1e-2
[pruner]
kind = "asha"
reduction = 2
min_peers = 0
[train]
model = "densepoly"
dataset = "fashion-mnist"
subset = 1000
test_subset = 200
epochs = 3
batch_size = 100
threads = 1
)";

// The config with `study_extra` lines added to its [study] table.
std::string two_points(const std::string& study_extra) {
  return kTwoPointsStudy + study_extra + "\n" + kTwoPointsRest;
}

bool have_fashion_mnist() {
  return std::filesystem::exists("/usr/share/datasets/fashion-mnist");
}

TEST_F(TunePruningCli, AshaStopsTheHopelessTrialAndTheSummarySaysWhatItSaved) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "FashionMNIST is not installed";
  write_config("p.toml", two_points(""));
  CliRun run = run_cli("tune p.toml --json=p.json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("value     pruned@1"));
  EXPECT_THAT(run.out, HasSubstr("pruned 1 ("));
  EXPECT_THAT(run.out, HasSubstr("pruned: 1 trial(s) used"));
  auto json = read_json("p.json");
  ASSERT_EQ(json["trials"].size(), 2u);
  const auto& kept = json["trials"][0];
  const auto& stopped = json["trials"][1];
  EXPECT_EQ(kept["state"], "complete");
  EXPECT_EQ(kept["intermediate"].size(), 3u);
  EXPECT_EQ(stopped["state"], "pruned");
  ASSERT_EQ(stopped["intermediate"].size(), 1u);  // its curve: the first epoch
  EXPECT_TRUE(stopped["value"].is_null());
  EXPECT_TRUE(stopped["training"]["test_accuracy"].is_null());  // no test-set pass
  EXPECT_THAT(stopped["error"].get<std::string>(), HasSubstr("rung 0 (step 1)"));
  EXPECT_THAT(stopped["error"].get<std::string>(), HasSubstr("stopped after epoch 1 of 3"));
  EXPECT_EQ(json["summary"]["trials"], 2);
  const auto& pruning = json["pruning"];
  EXPECT_EQ(pruning["pruner"]["kind"], "asha");
  EXPECT_EQ(pruning["pruner"]["max_step"], 3);  // from train.epochs
  EXPECT_EQ(pruning["pruned_trials"], 1);
  EXPECT_EQ(pruning["pruned_steps_saved"], 2);
  EXPECT_EQ(pruning["estimate"], true);
  if (run.out.find("energy: not measured") == std::string::npos) {
    EXPECT_GT(stopped["joules"].get<double>(), 0);
    EXPECT_GT(pruning["estimated_saved_joules"].get<double>(), 0);
    EXPECT_THAT(run.out, HasSubstr("pruning saved about"));
    EXPECT_THAT(run.out, HasSubstr("(an estimate: 2 steps not run x"));
  }
}

TEST_F(TunePruningCli, StudyBudgetStopsTheStudyAtTheFirstReport) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "FashionMNIST is not installed";
  write_config("b.toml", two_points("max_joules = 1e-9"));
  CliRun run = run_cli("tune b.toml --json=b.json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  if (run.out.find("energy: not measured") != std::string::npos)
    GTEST_SKIP() << "no energy source: every trial costs 0 J";
  EXPECT_THAT(run.out, HasSubstr("/1e-09 budget spent"));
  EXPECT_THAT(run.out, HasSubstr("energy budget: "));
  EXPECT_THAT(run.out, HasSubstr("spent, so no further trial starts"));
  auto json = read_json("b.json");
  ASSERT_EQ(json["trials"].size(), 1u);  // no second trial started
  const auto& trial = json["trials"][0];
  EXPECT_EQ(trial["state"], "failed");
  EXPECT_EQ(trial["retry"], true);
  EXPECT_THAT(trial["error"].get<std::string>(), HasSubstr("study energy budget"));
  EXPECT_EQ(trial["intermediate"].size(), 1u);
  EXPECT_EQ(json["budget"]["spent"], true);
}
#endif

}  // namespace
