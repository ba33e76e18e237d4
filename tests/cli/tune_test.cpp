// End-to-end: `greentune tune` on the benchmark functions (and, with LibTorch, a tiny training
// study) as a user runs it: output per round, JSON summary, continuation, exit codes.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli/cli_test_support.hpp"
#include "greentune/store/open_storage.hpp"

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
  CliRun run = run_cli("tune b.toml --json=result.json");
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
  CliRun again = run_cli("tune b.toml --rounds 5 --json=r.json", "again");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("(3 done)"));
  EXPECT_THAT(again.out, HasSubstr("round 5/5"));
  EXPECT_THAT(again.out, ::testing::Not(HasSubstr("round 3/5")));
  auto json = read_json("r.json");
  ASSERT_EQ(json["trials"].size(), 5u);
  std::set<int> numbers;
  for (const auto& t : json["trials"]) numbers.insert(t["number"].get<int>());
  EXPECT_EQ(numbers, (std::set<int>{1, 2, 3, 4, 5}));
  // A finished study stays finished.
  CliRun done = run_cli("tune b.toml --rounds 5 --json=r2.json", "done");
  ASSERT_EQ(done.exit_code, 0);
  EXPECT_EQ(read_json("r2.json")["trials"].size(), 5u);
}

TEST_F(TuneCli, FlagsOverrideTheFile) {
  write_config("b.toml", kBranin);
  CliRun run = run_cli(
      "tune b.toml --strategy grid --rounds 4 --study other "
      "--storage sqlite:o.db --seed 5 "
      "--json=g.json");
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

TEST_F(TuneCli, AnotherStrategyForAnExistingStudyIsRefusedNamingBoth) {
  write_config("b.toml", kBranin);
  ASSERT_EQ(run_cli("tune b.toml --rounds 2").exit_code, 0);
  std::string before = slurp(path("studies.db"));
  // It used to run grid rounds while the store, `studies` and the report still said random.
  CliRun run = run_cli("tune b.toml --strategy grid --rounds 4", "grid");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("study 'b'"));
  EXPECT_THAT(run.err, HasSubstr("strategy random, not grid"));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("round 3")));
  EXPECT_EQ(slurp(path("studies.db")), before);
}

TEST_F(TuneCli, CommandLineNumbersFollowTheConfigsRules) {
  write_config("b.toml", kBranin);
  // --seed -1 used to wrap to 2^64 - 1 where the config refuses a negative seed.
  CliRun seed = run_cli("tune b.toml --seed -1", "seed");
  EXPECT_EQ(seed.exit_code, 2);
  EXPECT_THAT(seed.err, HasSubstr("--seed"));
  EXPECT_THAT(seed.err, HasSubstr("got -1"));
  for (const char* rounds : {"0", "10000001"}) {
    CliRun run = run_cli(std::string("tune b.toml --rounds ") + rounds, "rounds");
    EXPECT_EQ(run.exit_code, 2) << rounds;
    EXPECT_THAT(run.err, HasSubstr("from 1 to 10000000, got " + std::string(rounds)));
  }
  write_config("many.toml", std::string(kBranin).replace(std::string(kBranin).find("rounds = 6"),
                                                         10, "rounds = 20000000"));
  CliRun many = run_cli("tune many.toml", "many");
  EXPECT_EQ(many.exit_code, 2);
  EXPECT_THAT(many.err, HasSubstr("expected 1 <= rounds <= 10000000, got 20000000"));
  EXPECT_FALSE(std::filesystem::exists(path("studies.db")));
}

TEST_F(TuneCli, OutputAndStorePathsInMissingFoldersFailBeforeAnyRound) {
  write_config("b.toml", kBranin);
  CliRun json = run_cli("tune b.toml --json=nowhere/r.json", "json");
  EXPECT_EQ(json.exit_code, 2);
  EXPECT_THAT(json.err, HasSubstr("nowhere"));
  EXPECT_THAT(json.out, ::testing::Not(HasSubstr("round 1")));
  EXPECT_FALSE(std::filesystem::exists(path("studies.db")));
  CliRun store = run_cli("tune b.toml --storage sqlite:out/s.db", "store");
  EXPECT_EQ(store.exit_code, 2);
  EXPECT_THAT(store.err, HasSubstr("folder out does not exist"));
  EXPECT_FALSE(std::filesystem::exists(path("out")));
}

TEST_F(TuneCli, ExtremeBoundsAreRefusedBeforeTheStore) {
  write_config("wide.toml", std::string(kBranin) +
                                "[space.x1]\ntype = \"float\"\nlow = -1e308\nhigh = 1e308\n"
                                "[space.x2]\ntype = \"float\"\nlow = 0.0\nhigh = 15.0\n");
  CliRun run = run_cli("tune wide.toml", "wide");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("space.x1: high - low"));
  EXPECT_FALSE(std::filesystem::exists(path("studies.db")));
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
                        " tune g.toml --json=all.json >c.out 2>c.err";
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
  CliRun run = run_cli("tune t.toml --json=t.json");
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
    const auto& epoch = t["intermediate"][0];
    EXPECT_EQ(epoch["step"], 1);
    EXPECT_DOUBLE_EQ(epoch["values"][0].get<double>(), accuracy);
    EXPECT_GT(epoch["seconds"].get<double>(), 0);
    EXPECT_TRUE(t["training"]["test_accuracy"].is_number());
    EXPECT_GT(t["training"]["parameter_count"].get<int64_t>(), 0);
    EXPECT_GT(t["seconds"].get<double>(), 0);
  }
}

#endif

// Without an energy measurement every trial's joules would be 0: a study that constrains or
// optimises them is refused before its store is made.
TEST_F(TuneCli, JoulesWithoutEnergyMeasurementIsRefused) {
  write_config("zj.toml", R"(
[study]
name = "zj"
storage = "sqlite:zj.db"
strategy = "bayes"
objective = "zdt1"
rounds = 2
[constraints]
joules = "<= 5"
)");
  CliRun run = run_cli("tune zj.toml --no-energy");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("zj.toml: the study optimises or constrains joules"));
  EXPECT_FALSE(std::filesystem::exists(path("zj.db")));
}

#if GREENTUNE_HAS_TORCH
// Issue 10 end to end: accuracy and greentune's own joules as two objectives of a bayes study
// (the multi-objective sampler), then `pareto` and the report's front.
TEST_F(TuneCli, AccuracyAndJoulesStudyReportsItsFront) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
    GTEST_SKIP() << "FashionMNIST is not installed";
  }
  write_config("mo.toml", R"(
[study]
name = "mo"
storage = "sqlite:mo.db"
strategy = "bayes"
objective = "train"
direction = ["maximize", "minimize"]
rounds = 3
seed = 2
[space.lr]
type = "float"
low = 0.0005
high = 0.005
log = true
[train]
model = "simplecnn:conv=1,linear=2"
dataset = "fashion-mnist"
subset = 500
test_subset = 200
epochs = 1
batch_size = 100
threads = 1
metrics = ["accuracy", "joules"]
)");
  CliRun run = run_cli("tune mo.toml --json=mo.json", "tune");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("maximize accuracy, minimize joules"));
  auto json = read_json("mo.json");
  EXPECT_EQ(json["metrics"], nlohmann::json({"accuracy", "joules"}));
  ASSERT_EQ(json["trials"].size(), 3u);
  for (const auto& t : json["trials"]) {
    ASSERT_EQ(t["state"], "complete") << t.dump();
    ASSERT_EQ(t["values"].size(), 2u);
    EXPECT_GT(t["values"][0].get<double>(), 0.0);
    EXPECT_LE(t["values"][0].get<double>(), 1.0);
    // The second objective is the trial's own energy figure, not a copy of anything else.
    EXPECT_GT(t["values"][1].get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(t["values"][1].get<double>(), t["joules"].get<double>());
    ASSERT_EQ(t["intermediate"].size(), 1u);
    EXPECT_EQ(t["intermediate"][0]["values"].size(), 2u);
  }
  EXPECT_GE(json["front"]["members"].size(), 1u);

  run = run_cli("pareto mo --storage sqlite:mo.db --json", "pareto");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto front = nlohmann::json::parse(run.out);
  EXPECT_EQ(front["front"].size(), json["front"]["members"].size());

  run = run_cli("report mo.db --out out", "report");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = slurp(dir_ / "out" / "report.html");
  EXPECT_THAT(html, HasSubstr("<h3>Pareto front: mo</h3>"));
  EXPECT_THAT(html, HasSubstr("data-chart=\"pareto-front\""));
  EXPECT_THAT(html, HasSubstr("Cheapest within"));
}

// Regression (issue 11): a trial interrupted by SIGTERM was stored with 0 J and 0 s. It keeps what
// it used up to the signal: at least what its first epoch's report said.
TEST_F(TuneCli, InterruptedTrainTrialKeepsTheTimeAndEnergyItUsed) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
    GTEST_SKIP() << "FashionMNIST is not installed";
  }
  write_config("long.toml", R"(
[study]
name = "long"
storage = "sqlite:long.db"
strategy = "random"
objective = "train"
rounds = 1
seed = 1
[space.lr]
type = "float"
low = 0.0005
high = 0.005
log = true
[train]
model = "simplecnn:conv=1,linear=2"
dataset = "fashion-mnist"
subset = 1000
test_subset = 200
epochs = 500
batch_size = 100
threads = 1
)");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::chdir(dir_.c_str()) != 0) ::_exit(120);
    int fd = ::open((dir_ / "long.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(GREENTUNE_CLI, GREENTUNE_CLI, "tune", "long.toml", static_cast<char*>(nullptr));
    ::_exit(121);
  }
  // Interrupt once the running trial has reported its first epoch (no timing guess: the store
  // says when).
  auto reported = [&] {
    if (!std::filesystem::exists(dir_ / "long.db")) return false;
    try {
      auto storage = greentune::store::open_storage("sqlite:" + (dir_ / "long.db").string(), false);
      auto study = storage->find_study("long");
      if (!study) return false;
      auto trials = storage->trials(study->id);
      return !trials.empty() && !trials[0].intermediate.empty();
    } catch (const std::exception&) {
      return false;  // the store is still being created
    }
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (!reported() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << slurp(dir_ / "long.out");
  ASSERT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << slurp(dir_ / "long.out");

  auto storage = greentune::store::open_storage("sqlite:" + (dir_ / "long.db").string(), false);
  auto trials = storage->trials(storage->find_study("long")->id);
  ASSERT_EQ(trials.size(), 1u);
  const auto& t = trials[0];
  EXPECT_EQ(t.state, greentune::tune::TrialState::failed);
  EXPECT_TRUE(t.retry);
  EXPECT_THAT(t.error, HasSubstr("SIGTERM"));
  ASSERT_FALSE(t.intermediate.empty());
  const auto& first = t.intermediate.front();
  EXPECT_GT(t.seconds, 0);
  EXPECT_GE(t.seconds, first.seconds);
  if (slurp(dir_ / "long.out").find("energy: not measured") == std::string::npos) {
    EXPECT_GT(first.joules, 0);
    EXPECT_GE(t.joules, first.joules);  // the whole trial so far, not 0 J
    EXPECT_FALSE(t.energy.empty());
  }
}
#endif

}  // namespace
