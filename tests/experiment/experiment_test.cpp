#include "greentune/experiment/experiment.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "experiment/experiment_fixtures.hpp"
#include "greentune/common/error.hpp"
#include "greentune/store/open_storage.hpp"

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
  std::filesystem::path config_file(int rounds, double lr_high = 1e-2) {
    auto file = dir_.path() / "tiny.toml";
    std::ofstream(file) << testing::tiny_experiment_toml(dir_.path() / "fm", store(), rounds,
                                                         lr_high);
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
}

}  // namespace
}  // namespace greentune::experiment
