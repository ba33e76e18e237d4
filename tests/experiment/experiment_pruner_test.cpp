// [pruner] in an experiment config: every tuning study gets it (max_step from train.epochs), a
// round whose first run is told to stop is stored pruned, and the report shows the section.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "experiment/experiment_fixtures.hpp"
#include "greentune/common/error.hpp"
#include "greentune/experiment/experiment.hpp"
#include "greentune/store/open_storage.hpp"

namespace greentune::experiment {
namespace {

using ::testing::HasSubstr;

// Two grid points: lr = 1e-6 learns nothing in an epoch, lr = 5e-3 learns the tiny set at once.
// Seed 2 visits the good one first, so ASHA (reduction 2, min_peers 0: one peer in two trials)
// stops the other at its first epoch.
std::string pruned_experiment(const std::filesystem::path& dir, int epochs) {
  return fmt::format(R"([experiment]
name = "pruned"
storage = "sqlite:{0}/pruned.db"
strategies = ["grid"]
rounds = 2
repetitions = 2
seed = 2
report = "{0}/report"

[space.lr]
type = "float"
low = 1e-6
high = 1e-2

[sampler]
grid_points = 2

[pruner]
kind = "asha"
reduction = 2
min_peers = 0

[train]
model = "densepoly"
dataset = "fashion-mnist"
data_dir = "{0}/fm"
epochs = {1}
batch_size = 64
threads = 1
)",
                     dir.string(), epochs);
}

TEST(ExperimentPruner, RoundsAreJudgedOnTheirFirstRunAndTheReportShowsTheSavings) {
  testing::TempDir dir("pruner");
  testing::write_tiny_fashion_mnist(dir.path() / "fm", 300, 100);
  std::ofstream(dir.path() / "pruned.toml") << pruned_experiment(dir.path(), 3);
  auto config = parse_experiment_config(dir.path() / "pruned.toml");
  ASSERT_EQ(config.studies.size(), 1u);
  EXPECT_EQ(config.studies[0].pruner.kind, tune::PrunerKind::asha);
  EXPECT_EQ(config.studies[0].pruner.max_step, 3);

  RunOptions options;
  std::vector<std::string> lines;
  options.log = [&](const std::string& line) { lines.push_back(line); };
  auto summary = run_experiment(config, options);
  EXPECT_EQ(summary.trials_run, 2);
  auto storage = store::open_storage("sqlite:" + (dir.path() / "pruned.db").string());
  auto trials = storage->trials(storage->find_study("pruned/grid")->id);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].state, tune::TrialState::complete);
  EXPECT_EQ(trials[0].intermediate.size(), 3u);
  EXPECT_EQ(trials[1].state, tune::TrialState::pruned);
  EXPECT_EQ(trials[1].intermediate.size(), 1u);
  EXPECT_THAT(lines.back(), HasSubstr("value pruned@1"));

  std::ifstream html(summary.report_html);
  std::stringstream text;
  text << html.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("Early stopping and energy budgets"));
  EXPECT_THAT(text.str(), HasSubstr("saved by pruning (estimate)"));
}

TEST(ExperimentPruner, OneEpochLeavesNothingToStopAndIsRefused) {
  testing::TempDir dir("pruner-one-epoch");
  std::ofstream(dir.path() / "one.toml") << pruned_experiment(dir.path(), 1);
  try {
    parse_experiment_config(dir.path() / "one.toml");
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("pruner.max_step"));
    EXPECT_THAT(e.what(), HasSubstr("one.toml"));
  }
}

}  // namespace
}  // namespace greentune::experiment
