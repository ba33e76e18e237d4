// End-to-end: `greentune tune` with objective = "command", as a user runs it: workers, failures,
// bad configs, Ctrl-C, and `greentune trials --json` afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using greentune::cli_testing::start_cli;
using ::testing::HasSubstr;

class CommandTuneCli : public CliTest {
 protected:
  CommandTuneCli() : CliTest("command-tune") {}

  void write(const std::string& name, const std::string& text, bool executable = false) {
    std::ofstream(dir_ / name) << text;
    if (executable) std::filesystem::permissions(dir_ / name, std::filesystem::perms::owner_all);
  }

  nlohmann::json trials_json(const std::string& study) {
    CliRun run = run_cli("trials " + study + " --storage sqlite:s.db --json", "trials");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return nlohmann::json::parse(run.out);
  }
};

const char* kProgram = R"(#!/bin/bash
# Reports three epochs; fails on purpose for x = 1.
if [ "$GREENTUNE_PARAM_X" = 1 ]; then echo "broken on purpose" >&2; exit 1; fi
for e in 1 2 3; do echo "{\"epoch\": $e, \"score\": $(( $1 * e ))}"; done
)";

TEST_F(CommandTuneCli, TwoWorkersRunTheStudyAndFailedTrialsDoNotStopIt) {
  write("prog.sh", kProgram, true);
  write("s.toml", R"([study]
name = "c"
storage = "sqlite:s.db"
objective = "command"
strategy = "grid"
rounds = 5
[space]
x = { type = "int", low = 0, high = 4 }
[sampler]
grid_points = 5
grid_rule = "inclusive"
[command]
argv = ["./prog.sh", "{x}"]
metric = "score"
step = "epoch"
)");
  CliRun run = run_cli("tune s.toml --workers 2");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("2 worker(s)"));
  EXPECT_THAT(run.out, HasSubstr("failed: exit code 1"));
  EXPECT_THAT(run.out, HasSubstr("best: trial"));

  auto trials = trials_json("c");
  ASSERT_EQ(trials.size(), 5u);  // every grid point once; the failure keeps its point taken
  std::set<int> numbers;
  int complete = 0;
  for (const auto& t : trials) {
    numbers.insert(t["number"].get<int>());
    const int x = t["params"]["x"].get<int>();
    if (x == 1) {
      EXPECT_EQ(t["state"], "failed");
      EXPECT_EQ(t["error"], "exit code 1");
      EXPECT_EQ(t["retry"], false);
      EXPECT_THAT(t["attributes"]["stderr_tail"].get<std::string>(),
                  HasSubstr("broken on purpose"));
      continue;
    }
    ++complete;
    // What `greentune trials --json` promises for every trial.
    EXPECT_EQ(t["state"], "complete");
    EXPECT_EQ(t["values"], nlohmann::json::array({3 * x}));
    EXPECT_GT(t["seconds"].get<double>(), 0);
    EXPECT_GT(t["finished_at"].get<double>(), t["started_at"].get<double>() - 1e-9);
    ASSERT_FALSE(t["energy"].empty());
    for (const auto& d : t["energy"]) {
      EXPECT_TRUE(d["kind"] == "measured" || d["kind"] == "estimated") << d.dump();
      EXPECT_TRUE(d.contains("name") && d.contains("source") && d.contains("joules"));
    }
    ASSERT_EQ(t["intermediate"].size(), 3u);
    for (int e = 1; e <= 3; ++e) {
      const auto& r = t["intermediate"][e - 1];
      EXPECT_EQ(r["step"], e);
      EXPECT_EQ(r["values"], nlohmann::json::array({x * e}));
      EXPECT_TRUE(r["seconds"].is_number());
      EXPECT_TRUE(r["joules"].is_number());
    }
    EXPECT_TRUE(t["attributes"]["trial_dir"].is_string());
  }
  EXPECT_EQ(numbers.size(), trials.size());
  EXPECT_EQ(complete, 4);
}

// A command study with two objectives: the program's own metric and greentune's joules, the
// directions inferred (a score is maximised, joules minimised), and `pareto` reads the front.
TEST_F(CommandTuneCli, ProgramMetricAndJoulesAreTwoObjectivesWithAFront) {
  write("prog.sh", kProgram, true);
  write("s.toml", R"([study]
name = "mo"
storage = "sqlite:s.db"
objective = "command"
strategy = "grid"
rounds = 4
[space]
x = { type = "int", low = 2, high = 5 }
[sampler]
grid_points = 4
grid_rule = "inclusive"
[command]
argv = ["./prog.sh", "{x}"]
metrics = ["score", "joules"]
step = "epoch"
)");
  CliRun run = run_cli("tune s.toml");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("maximize score, minimize joules"));
  EXPECT_THAT(run.out, HasSubstr("front:"));

  auto trials = trials_json("mo");
  ASSERT_EQ(trials.size(), 4u);
  for (const auto& t : trials) {
    ASSERT_EQ(t["state"], "complete") << t.dump();
    ASSERT_EQ(t["values"].size(), 2u);
    EXPECT_EQ(t["values"][0], 3 * t["params"]["x"].get<int>());  // the last report's score
    EXPECT_DOUBLE_EQ(t["values"][1].get<double>(), t["joules"].get<double>());
  }
  CliRun front = run_cli("pareto mo --storage sqlite:s.db --json", "pareto");
  ASSERT_EQ(front.exit_code, 0) << front.err;
  const auto json = nlohmann::json::parse(front.out);
  EXPECT_EQ(json["metrics"], nlohmann::json::array({"score", "joules"}));
  EXPECT_FALSE(json["front"].empty());
}

TEST_F(CommandTuneCli, MistakesAreReportedBeforeAnythingRuns) {
  write("prog.sh", kProgram, true);
  const std::string head = R"([study]
name = "c"
storage = "sqlite:s.db"
objective = "command"
[space]
x = { type = "int", low = 0, high = 4 }
)";
  write("typo.toml", head + "[command]\nargv = [\"./prog.sh\", \"{y}\"]\nmetric = \"score\"\n");
  CliRun run = run_cli("tune typo.toml", "typo");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("typo.toml:8: command.argv[1]: unknown placeholder {y}"));

  write("missing.toml", head + "[command]\nargv = [\"./nope.sh\"]\nmetric = \"score\"\n");
  run = run_cli("tune missing.toml", "missing");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("nope.sh is not an executable file"));

  write("ok.toml", head + "[command]\nargv = [\"./prog.sh\", \"{x}\"]\nmetric = \"score\"\n");
  run = run_cli("tune ok.toml --workers 2 --gpus 0", "gpus");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("at most 1 trials can run at once"));
  run = run_cli("tune ok.toml --gpus 0,0", "twice");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("GPU 0 is listed twice"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "s.db"));  // nothing half-made
}

// Ctrl-C: the running program is stopped and its trial failed with retry, so the next run of the
// study runs that point again.
TEST_F(CommandTuneCli, InterruptingStopsTheProgramAndMarksTheTrialForRetry) {
  write("hang.sh", R"(#!/bin/bash
if [ -e "$(dirname "$0")/release" ]; then echo '{"score": 1}'; exit 0; fi
echo $$ > "$(dirname "$0")/program.pid"
sleep 1000
)",
        true);
  write("s.toml", R"([study]
name = "c"
storage = "sqlite:s.db"
objective = "command"
strategy = "grid"
rounds = 1
[space]
x = { type = "int", low = 0, high = 4 }
[command]
argv = ["./hang.sh"]
metric = "score"
grace_seconds = 1
)");
  const pid_t greentune = start_cli(dir_, {"tune", "s.toml"}, "tune");
  ASSERT_GT(greentune, 0);
  const auto pid_file = dir_ / "program.pid";
  for (int i = 0; i < 1200 && slurp(pid_file).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string program_pid = slurp(pid_file);
  ASSERT_FALSE(program_pid.empty()) << slurp(dir_ / "tune.err");
  kill(greentune, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(greentune, &status, 0), greentune);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_THAT(slurp(dir_ / "tune.err"), HasSubstr("interrupted by SIGINT"));
  EXPECT_NE(kill(std::stoi(program_pid), 0), 0);  // the program is gone

  auto trials = trials_json("c");
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0]["state"], "failed");
  EXPECT_THAT(trials[0].dump(), HasSubstr("\"retry\":true"));

  write("release", "");
  CliRun rerun = run_cli("tune s.toml", "rerun");
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  trials = trials_json("c");
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[1]["state"], "complete");
  EXPECT_EQ(trials[1]["params"], trials[0]["params"]);  // the interrupted point, run again
}

}  // namespace
