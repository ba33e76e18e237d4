// End-to-end: `greentune tune` on the benchmark functions (and, with LibTorch, a tiny training
// study) as a user runs it: output per round, JSON summary, continuation, exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;

class TuneCli : public CliTest {
 protected:
  TuneCli() : CliTest("tune") {}

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write_config(const std::string& name, const std::string& text) {
    std::ofstream(path(name)) << text;
    return path(name);
  }

  nlohmann::json read_json(const std::string& name) {
    return nlohmann::json::parse(slurp(path(name)));
  }
};

const char* kBranin = R"(
[study]
name = "b"
storage = "sqlite:studies.db"
strategy = "random"
objective = "branin"
rounds = 6
seed = 11
)";

TEST_F(TuneCli, BraninEndToEndPrintsRoundsAndWritesJson) {
  write_config("b.toml", kBranin);
  CliRun run = run_cli("tune b.toml --json result.json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("round 1/6"));
  EXPECT_THAT(run.out, HasSubstr("round 6/6"));
  EXPECT_THAT(run.out, HasSubstr("best: trial"));
  EXPECT_THAT(run.out, HasSubstr("optimum round"));
  auto json = read_json("result.json");
  EXPECT_EQ(json["study"], "b");
  EXPECT_EQ(json["strategy"], "random");
  EXPECT_EQ(json["direction"], "minimize");
  ASSERT_EQ(json["trials"].size(), 6u);
  double best = 1e300;
  for (const auto& t : json["trials"]) {
    for (const char* key : {"number", "state", "value", "params", "seconds", "joules", "energy",
                            "host", "intermediate"}) {
      EXPECT_TRUE(t.contains(key)) << key;
    }
    EXPECT_EQ(t["state"], "complete");
    double x1 = t["params"]["x1"], x2 = t["params"]["x2"];
    EXPECT_GE(x1, -5.0);
    EXPECT_LE(x1, 10.0);
    EXPECT_GE(x2, 0.0);
    EXPECT_LE(x2, 15.0);
    best = std::min(best, t["value"].get<double>());
  }
  EXPECT_DOUBLE_EQ(json["best_trial"]["value"].get<double>(), best);
  EXPECT_DOUBLE_EQ(json["summary"]["best"].get<double>(), best);
  EXPECT_EQ(json["summary"]["complete"], 6);
  EXPECT_EQ(json["best_so_far"].size(), 6u);
  EXPECT_TRUE(std::filesystem::exists(path("studies.db")));
}

TEST_F(TuneCli, RerunContinuesTheStudyUpToRounds) {
  write_config("b.toml", kBranin);
  ASSERT_EQ(run_cli("tune b.toml --rounds 3").exit_code, 0);
  CliRun again = run_cli("tune b.toml --rounds 5 --json r.json", "again");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("(3 done)"));
  EXPECT_THAT(again.out, HasSubstr("round 5/5"));
  EXPECT_THAT(again.out, ::testing::Not(HasSubstr("round 3/5")));
  auto json = read_json("r.json");
  ASSERT_EQ(json["trials"].size(), 5u);
  std::set<int> numbers;
  for (const auto& t : json["trials"]) numbers.insert(t["number"].get<int>());
  EXPECT_EQ(numbers, (std::set<int>{0, 1, 2, 3, 4}));
  // A finished study stays finished.
  CliRun done = run_cli("tune b.toml --rounds 5 --json r2.json", "done");
  ASSERT_EQ(done.exit_code, 0);
  EXPECT_EQ(read_json("r2.json")["trials"].size(), 5u);
}

TEST_F(TuneCli, FlagsOverrideTheFile) {
  write_config("b.toml", kBranin);
  CliRun run = run_cli(
      "tune b.toml --strategy grid --rounds 4 --study other "
      "--storage sqlite:o.db --seed 5 "
      "--json g.json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto json = read_json("g.json");
  EXPECT_EQ(json["study"], "other");
  EXPECT_EQ(json["strategy"], "grid");
  EXPECT_EQ(json["seed"], 5);
  EXPECT_EQ(json["trials"].size(), 4u);
  EXPECT_TRUE(std::filesystem::exists(path("o.db")));
  EXPECT_FALSE(std::filesystem::exists(path("studies.db")));
}

TEST_F(TuneCli, BadConfigExitsTwoNamingTheKey) {
  write_config("typo.toml", "[study]\nname = \"t\"\nobjective = \"branin\"\nroundz = 3\n");
  CliRun typo = run_cli("tune typo.toml", "typo");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("roundz"));

  write_config("range.toml",
               "[study]\nname = \"r\"\nobjective = "
               "\"branin\"\n[space.x1]\ntype = \"float\"\n"
               "low = 3.0\nhigh = 1.0\n[space.x2]\ntype = "
               "\"float\"\nlow = 0.0\nhigh = 15.0\n");
  CliRun range = run_cli("tune range.toml", "range");
  EXPECT_EQ(range.exit_code, 2);
  EXPECT_THAT(range.err, HasSubstr("x1"));

  write_config("b.toml", kBranin);
  CliRun strategy = run_cli("tune b.toml --strategy annealing", "strategy");
  EXPECT_EQ(strategy.exit_code, 2);
  EXPECT_THAT(strategy.err, HasSubstr("annealing"));
  CliRun storage = run_cli("tune b.toml --storage mysql://x", "storage");
  EXPECT_EQ(storage.exit_code, 2);
  EXPECT_THAT(storage.err, HasSubstr("mysql://x"));
  CliRun missing = run_cli("tune nowhere.toml", "missing");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("nowhere.toml"));
  EXPECT_FALSE(std::filesystem::exists(path("studies.db")));
}

TEST_F(TuneCli, ChangedSpaceForAnExistingStudyIsRefused) {
  write_config("b.toml", kBranin);
  ASSERT_EQ(run_cli("tune b.toml --rounds 2").exit_code, 0);
  write_config("narrow.toml", std::string(kBranin) +
                                  "[space.x1]\ntype = \"float\"\nlow = 0.0\nhigh = 1.0\n"
                                  "[space.x2]\ntype = \"float\"\nlow = 0.0\nhigh = 1.0\n");
  std::string before = slurp(path("studies.db"));
  CliRun run = run_cli("tune narrow.toml --rounds 4", "narrow");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("search space"));
  EXPECT_THAT(run.err, HasSubstr("'b'"));
  EXPECT_EQ(slurp(path("studies.db")), before);
}

TEST_F(TuneCli, TwoProcessesOnOneGridStudyShareItWithoutRepeats) {
  write_config("g.toml", R"(
[study]
name = "grid"
storage = "sqlite:shared.db"
strategy = "grid"
objective = "hartmann6"
rounds = 40
seed = 2
[sampler]
grid_points = 2
)");
  std::string command = "cd " + dir_.string() + " && ( " + GREENTUNE_CLI +
                        " tune g.toml >a.out 2>a.err & " + GREENTUNE_CLI +
                        " tune g.toml >b.out 2>b.err & wait ) && " + GREENTUNE_CLI +
                        " tune g.toml --json all.json >c.out 2>c.err";
  ASSERT_EQ(std::system(command.c_str()), 0) << slurp(path("a.err")) << slurp(path("b.err"));
  auto json = read_json("all.json");
  ASSERT_EQ(json["trials"].size(), 40u);
  std::set<std::string> points;
  for (const auto& t : json["trials"]) {
    EXPECT_EQ(t["state"], "complete");
    points.insert(t["params"].dump());
  }
  EXPECT_EQ(points.size(), 40u) << "a grid point was evaluated twice";
}

#if GREENTUNE_HAS_TORCH
TEST_F(TuneCli, TrainObjectiveOnATinyFashionMnistSubset) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
    GTEST_SKIP() << "FashionMNIST is not installed";
  }
  write_config("t.toml", R"(
[study]
name = "tiny"
storage = "sqlite:train.db"
strategy = "random"
objective = "train"
rounds = 2
seed = 1
[space.lr]
type = "float"
low = 0.0005
high = 0.005
log = true
[train]
model = "simplecnn"
dataset = "fashion-mnist"
subset = 2000
test_subset = 500
epochs = 1
batch_size = 128
threads = 2
)");
  CliRun run = run_cli("tune t.toml --json t.json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto json = read_json("t.json");
  ASSERT_EQ(json["trials"].size(), 2u);
  EXPECT_EQ(json["direction"], "maximize");
  for (const auto& t : json["trials"]) {
    ASSERT_EQ(t["state"], "complete") << t.dump();
    double accuracy = t["value"];
    EXPECT_GT(accuracy, 0.2);  // ten classes: chance is 0.1
    EXPECT_LE(accuracy, 1.0);
    ASSERT_EQ(t["intermediate"].size(), 1u);
    EXPECT_DOUBLE_EQ(t["intermediate"][0]["value"].get<double>(), accuracy);
    EXPECT_TRUE(t["attrs"].contains("test_accuracy"));
    EXPECT_GT(t["attrs"]["parameter_count"].get<int64_t>(), 0);
    EXPECT_GT(t["seconds"].get<double>(), 0);
  }
}
#endif

}  // namespace
