#include "greentune/experiment/experiment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "experiment/experiment_fixtures.hpp"
#include "greentune/common/error.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/tune/study.hpp"

namespace greentune::experiment {
namespace {

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Experiment : public ::testing::Test {
 protected:
  Experiment() : dir_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    testing::write_tiny_fashion_mnist(dir_.path() / "fm", 300, 100);
  }
  std::filesystem::path config_file(int rounds, double lr_high = 1e-2,
                                    const std::string& seeds = "") {
    auto file = dir_.path() / "tiny.toml";
    std::string text = testing::tiny_experiment_toml(dir_.path() / "fm", store(), rounds, lr_high);
    if (!seeds.empty()) text.replace(text.find("seed = 7"), 8, "seeds = " + seeds);
    std::ofstream(file) << text;
    return file;
  }
  std::filesystem::path store() const { return dir_.path() / "tiny.db"; }
  RunOptions quiet() const {
    RunOptions options;
    options.measure_energy = true;
    return options;
  }
  testing::TempDir dir_;
};

TEST_F(Experiment, RunsStrategiesAndSweepThenReportsAndResumes) {
  auto config = parse_experiment_config(config_file(2));
  ASSERT_EQ(config.studies.size(), 2u);
  auto summary = run_experiment(config, quiet());
  EXPECT_EQ(summary.studies, 3);
  EXPECT_EQ(summary.trials_run, 2 + 2 + 2);
  ASSERT_TRUE(std::filesystem::exists(summary.report_html));
  EXPECT_TRUE(std::filesystem::exists(summary.report_html.parent_path() / "trials.csv"));

  auto storage = store::open_storage("sqlite:" + store().string());
  auto studies = storage->studies();
  ASSERT_EQ(studies.size(), 3u);
  for (const auto& study : studies) {
    EXPECT_EQ(study.group, "tiny");
    auto context = nlohmann::json::parse(study.config_json);
    EXPECT_TRUE(context["machine"].contains("cpu")) << study.config_json;
    EXPECT_EQ(context["carbon"]["pue"], 1.1);
  }
  auto random = storage->find_study("tiny/random");
  ASSERT_TRUE(random);
  auto trials = storage->trials(random->id);
  ASSERT_EQ(trials.size(), 2u);
  for (const auto& trial : trials) {
    ASSERT_TRUE(trial.value());
    ASSERT_TRUE(trial.training);
    // Two repetitions: the value is their mean, both runs are kept.
    const auto& runs = trial.training->repetitions;
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_NEAR(*trial.value(), (runs[0].value + runs[1].value) / 2, 1e-12);
    EXPECT_EQ(runs[1].seed, runs[0].seed + 1);
    EXPECT_TRUE(runs[0].test_accuracy);
    EXPECT_GT(trial.joules, 0);
    EXPECT_NEAR(trial.joules, runs[0].joules + runs[1].joules, 1e-9);
    // The first run's epochs are the reports, with the time and joules of the trial so far.
    ASSERT_FALSE(trial.intermediate.empty());
    EXPECT_EQ(trial.intermediate[0].step, 1);
    EXPECT_GT(trial.intermediate[0].joules, 0);
    EXPECT_LE(trial.intermediate.back().joules, runs[0].joules + 1e-9);
  }
  auto sweep = storage->find_study("tiny/sweep");
  ASSERT_TRUE(sweep);
  EXPECT_EQ(sweep->strategy, "sweep");
  auto runs = storage->trials(sweep->id);
  ASSERT_EQ(runs.size(), 2u);
  ASSERT_TRUE(runs[0].training);
  EXPECT_EQ(runs[0].training->model_spec.rfind("simplecnn", 0), 0u) << runs[0].training->model_spec;
  EXPECT_TRUE(runs[0].training->repetitions.empty());    // one run per sweep trial
  EXPECT_FALSE(runs[0].training->layer_joules.empty());  // sweeps profile layers

  // Same command again: everything is done, nothing runs, nothing is added.
  auto again = run_experiment(parse_experiment_config(config_file(2)), quiet());
  EXPECT_EQ(again.trials_run, 0);
  EXPECT_EQ(storage->trials(random->id).size(), 2u);
  // More rounds continue the same studies.
  auto more = run_experiment(parse_experiment_config(config_file(3)), quiet());
  EXPECT_EQ(more.trials_run, 2);
  EXPECT_EQ(storage->trials(random->id).size(), 3u);
}

TEST_F(Experiment, ChangedSpaceIsRefusedAndTheStoreIsUntouched) {
  RunOptions options = quiet();
  options.write_report = false;
  run_experiment(parse_experiment_config(config_file(1)), options);
  std::string before = slurp(store());
  try {
    run_experiment(parse_experiment_config(config_file(1, 5e-2)), options);
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tiny/random"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("different space"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(store()), before);
}

// The rounds of the tuning studies in the order their trials started: a counted trial's round is
// its place among its study's complete, diverged or pruned trials.
std::vector<int> rounds_in_start_order(tune::Storage& storage, const std::string& group) {
  std::vector<std::pair<double, int>> started;
  for (const auto& study : storage.studies()) {
    if (study.group != group || study.strategy == "sweep") continue;
    int round = 0;
    for (const auto& trial : storage.trials(study.id))
      if (tune::counts_as_round(trial.state)) started.emplace_back(trial.started_at, ++round);
  }
  std::sort(started.begin(), started.end());
  std::vector<int> rounds;
  for (const auto& [at, round] : started) rounds.push_back(round);
  return rounds;
}

// Issue 13: strategies ran one after another while the machine's load changed. Now round r of
// every study starts before round r + 1 of any, also across an interruption, and every trial
// records the machine's state while it ran.
TEST_F(Experiment, StudiesRunInterleavedAcrossSeedsAndAnInterruption) {
  auto config = parse_experiment_config(config_file(3, 1e-2, "[3, 5]"));
  ASSERT_EQ(config.studies.size(), 4u);  // random and grid, two seeds each
  RunOptions options = quiet();
  options.write_report = false;
  int rounds_logged = 0;
  options.log = [&](const std::string& line) {
    // Stops the run after five rounds, between two studies' turns of round 2.
    if (line.find(" round ") != std::string::npos && ++rounds_logged == 5)
      throw std::runtime_error("interrupted by the test");
  };
  EXPECT_THROW(run_experiment(config, options), std::runtime_error);
  auto storage = store::open_storage("sqlite:" + store().string());
  auto first = rounds_in_start_order(*storage, "tiny");
  EXPECT_EQ(first, (std::vector<int>{1, 1, 1, 1, 2}));

  options.log = {};
  auto resumed = run_experiment(config, options);
  EXPECT_EQ(resumed.trials_run, 4 * 3 - 5 + 2);  // the rest, then the two sweep cells
  auto order = rounds_in_start_order(*storage, "tiny");
  ASSERT_EQ(order.size(), 12u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << ::testing::PrintToString(order);

  for (uint64_t seed : {3u, 5u}) {
    auto study = storage->find_study("tiny/random/seed-" + std::to_string(seed));
    ASSERT_TRUE(study);
    EXPECT_EQ(nlohmann::json::parse(study->config_json)["seed"], seed);
    for (const auto& trial : storage->trials(study->id)) {
      ASSERT_TRUE(trial.training);
      // The seed decides the training runs' seeds: seed x repetitions + k.
      ASSERT_EQ(trial.training->repetitions.size(), 2u);
      EXPECT_EQ(trial.training->repetitions[0].seed, seed * 2);
      EXPECT_EQ(trial.training->repetitions[1].seed, seed * 2 + 1);
      // The machine's state, from the real /proc of this machine.
      EXPECT_TRUE(trial.conditions.load_average_start);
      EXPECT_TRUE(trial.conditions.load_average_end);
      EXPECT_TRUE(trial.conditions.other_cpu_seconds);
      EXPECT_GT(trial.finished_at, trial.started_at);
    }
  }
  auto sweep = storage->find_study("tiny/sweep");
  ASSERT_TRUE(sweep);
  for (const auto& trial : storage->trials(sweep->id))
    EXPECT_TRUE(trial.conditions.load_average_start);
}

// Issue 13: the experiment must never lose data because of the report.
TEST_F(Experiment, AReportThatCannotBeWrittenCostsOnlyTheReport) {
  auto config = parse_experiment_config(config_file(1));
  // The report's folder is a regular file: nothing can be written inside it.
  std::ofstream(dir_.path() / "blocked") << "not a folder";
  config.report_dir = dir_.path() / "blocked";
  RunSummary summary;
  ASSERT_NO_THROW(summary = run_experiment(config, quiet()));
  EXPECT_TRUE(summary.report_html.empty());
  EXPECT_NE(summary.report_error.find("blocked"), std::string::npos) << summary.report_error;
  EXPECT_NE(summary.report_error.find("greentune report"), std::string::npos);
  auto storage = store::open_storage("sqlite:" + store().string());
  auto random = storage->find_study("tiny/random");
  ASSERT_TRUE(random);
  EXPECT_EQ(storage->trials(random->id).size(), 1u);
}

// Regression: a sweep run alone recorded the thread count of [train] (or LibTorch's default),
// not the one its own [sweep.train] trained with.
TEST_F(Experiment, ASweepAloneRecordsTheThreadsItTrainsWith) {
  auto file = config_file(1);
  std::string text = slurp(file);
  text.replace(text.find("[sweep.train]\n"), 14, "[sweep.train]\nthreads = 2\n");
  std::ofstream(file) << text;
  RunOptions options = quiet();
  options.sweep_only = true;
  options.write_report = false;
  run_experiment(parse_experiment_config(file), options);
  auto storage = store::open_storage("sqlite:" + store().string());
  auto sweep = storage->find_study("tiny/sweep");
  ASSERT_TRUE(sweep);
  EXPECT_EQ(nlohmann::json::parse(sweep->config_json)["machine"]["threads"], 2);
  EXPECT_FALSE(storage->find_study("tiny/random"));  // only the sweep ran
}

TEST(ExperimentConfig, SeedsMakeOneStudyPerStrategyAndSeed) {
  testing::TempDir dir("config-seeds");
  auto file = dir.path() / "seeds.toml";
  std::ofstream(file) << "[experiment]\nname = \"s\"\nstrategies = [\"bayes\", \"grid\"]\n"
                         "seeds = [1, 2, 3]\n[space.lr]\ntype = \"float\"\nlow = 1e-4\nhigh = "
                         "1e-2\n";
  auto config = parse_experiment_config(file);
  ASSERT_EQ(config.studies.size(), 6u);
  EXPECT_EQ(config.studies[0].name, "s/bayes/seed-1");
  EXPECT_EQ(config.studies[0].seed, 1u);
  EXPECT_EQ(config.studies[5].name, "s/grid/seed-3");
  EXPECT_EQ(config.studies[5].seed, 3u);
  EXPECT_EQ(config.seeds, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(ExperimentConfig, ErrorsNameTheKey) {
  testing::TempDir dir("config-errors");
  auto check = [&](const std::string& text, const std::string& expected) {
    auto file = dir.path() / "bad.toml";
    std::ofstream(file) << text;
    try {
      parse_experiment_config(file);
      ADD_FAILURE() << "expected InputError for: " << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.toml"), std::string::npos) << e.what();
    }
  };
  check("[train]\nepochs = 1\n", "[experiment]");
  check("[experiment]\nname = \"x\"\nroundz = 3\n", "experiment.roundz");
  check("[experiment]\nname = \"a/b\"\n", "experiment.name");
  check("[experiment]\nname = \"x\"\nrounds = 0\n", "experiment.rounds");
  // Counts were cast to int: 2^32 + 1 repetitions became 1.
  check("[experiment]\nname = \"x\"\nrepetitions = 4294967297\n", "experiment.repetitions");
  check("[experiment]\nname = \"x\"\nrounds = 10000001\n", "expected 1 to 10000000");
  check("[experiment]\nname = \"x\"\nseed = -1\n", "experiment.seed");
  check("[experiment]\nname = \"a\\u0000b\"\n", "control characters");
  check("[experiment]\nname = \"x\"\n[sweep.train]\nthreads = -1\n", "train.threads");
  check("[experiment]\nname = \"x\"\n[sweep.train]\nsubset = 0\n", "train.subset");
  check("[experiment]\nname = \"x\"\nstrategies = [\"annealing\"]\n", "annealing");
  check("[experiment]\nname = \"x\"\n[sweep]\nconv = [0]\n", "sweep.conv");
  check("[experiment]\nname = \"x\"\n[sweep]\nrelu = [2]\n", "sweep.relu");
  check("[experiment]\nname = \"x\"\n[sweep.train]\nlr = \"fast\"\n", "train.lr");
  check("[experiment]\nname = \"x\"\n[carbon]\npue = 0.5\n", "carbon.pue");
  check("[experiment]\nname = \"x\"\n[space.momentumz]\ntype = \"float\"\nlow = 0.0\nhigh = 1.0\n",
        "momentumz");
  check("[experiment\nname = 1\n", "bad.toml:");
  check("[experiment]\nname = \"x\"\nseeds = []\n", "experiment.seeds");
  check("[experiment]\nname = \"x\"\nseeds = [1, 1]\n", "given twice");
  check("[experiment]\nname = \"x\"\nseeds = [-1]\n", "experiment.seeds");
  check("[experiment]\nname = \"x\"\nseed = 1\nseeds = [2]\n", "not both");
}

}  // namespace
}  // namespace greentune::experiment
