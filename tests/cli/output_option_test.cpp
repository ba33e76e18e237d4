// End-to-end: --json[=FILE] and --csv[=FILE], one convention in every command that has them
// (issue 12): alone, the result alone goes to stdout; with =FILE it is written to FILE and stdout
// carries what the command prints without the option; the old `--json FILE` form is a usage
// error that says how to write it now, and runs nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "cli/cli_test_support.hpp"
#include "cli/idx_files.hpp"

namespace {

namespace fs = std::filesystem;
using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const char* kBranin = R"(
[study]
name = "b"
storage = "sqlite:s.db"
strategy = "random"
objective = "branin"
rounds = 3
seed = 5
)";

// Parses the whole text as JSON; a failure names the text.
nlohmann::json parse_json(const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON (" << e.what() << "):\n" << text;
    return nullptr;
  }
}

class OutputOptionCli : public CliTest {
 protected:
  OutputOptionCli() : CliTest("output") {}

  // A store with one 3-round branin study named "b".
  void make_store() {
    std::ofstream(dir_ / "b.toml") << kBranin;
    CliRun run = run_cli("tune b.toml", "store");
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  void expect_old_form_refused(const CliRun& run, const std::string& word) {
    EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
    EXPECT_THAT(run.err, HasSubstr("--json=" + word));
    EXPECT_FALSE(fs::exists(dir_ / word)) << "nothing may be written";
  }
};

TEST_F(OutputOptionCli, MetersJsonToStdoutAndToAFile) {
  CliRun out = run_cli("meters --json", "stdout");
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_TRUE(parse_json(out.out).contains("sources"));

  CliRun file = run_cli("meters --json=meters.json", "file");
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_TRUE(parse_json(slurp(dir_ / "meters.json")).contains("sources"));
  EXPECT_THAT(file.out, HasSubstr("estimate")) << "the table, as without --json";
  EXPECT_THAT(file.out, Not(StartsWith("{")));

  expect_old_form_refused(run_cli("meters --json m.json", "old"), "m.json");
}

TEST_F(OutputOptionCli, StudiesJsonToStdoutAndToAFile) {
  make_store();
  CliRun out = run_cli("studies --storage sqlite:s.db --json", "stdout");
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(parse_json(out.out)[0]["name"], "b");

  CliRun file = run_cli("studies --storage sqlite:s.db --json=studies.json", "file");
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_EQ(parse_json(slurp(dir_ / "studies.json"))[0]["trials"]["complete"], 3);
  EXPECT_THAT(file.out, StartsWith("study ")) << "the table, as without --json";
}

TEST_F(OutputOptionCli, TrialsJsonAndCsvToStdoutAndToFiles) {
  make_store();
  CliRun json = run_cli("trials b --storage sqlite:s.db --json", "json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(parse_json(json.out).size(), 3u);

  CliRun csv = run_cli("trials b --storage sqlite:s.db --csv", "csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, StartsWith("number,state,value,"));

  // Both to files in one run, the table on stdout.
  CliRun files = run_cli("trials b --storage sqlite:s.db --csv=t.csv --json=t.json", "files");
  ASSERT_EQ(files.exit_code, 0) << files.err;
  EXPECT_EQ(slurp(dir_ / "t.csv"), csv.out);
  EXPECT_EQ(parse_json(slurp(dir_ / "t.json")), parse_json(json.out));
  EXPECT_THAT(files.out, StartsWith("number  state"));

  // One to a file, the other on stdout.
  CliRun mixed = run_cli("trials b --storage sqlite:s.db --csv=m.csv --json", "mixed");
  ASSERT_EQ(mixed.exit_code, 0) << mixed.err;
  EXPECT_EQ(parse_json(mixed.out), parse_json(json.out));
  EXPECT_EQ(slurp(dir_ / "m.csv"), csv.out);

  CliRun both = run_cli("trials b --storage sqlite:s.db --csv --json", "both");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("cannot both print on stdout"));

  // `--json b` still means: JSON on stdout, study b (the file is attached with '=').
  CliRun before = run_cli("trials --storage sqlite:s.db --json b", "before");
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(parse_json(before.out).size(), 3u);
}

TEST_F(OutputOptionCli, MeasureJsonAndCsvToStdoutCarryOnlyTheResult) {
  CliRun json = run_cli("measure --json -- echo from-the-command", "json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_GT(parse_json(json.out)["seconds"].get<double>(), 0.0);
  EXPECT_THAT(json.err, HasSubstr("from-the-command")) << "the command's own stdout moves aside";
  EXPECT_THAT(json.err, HasSubstr("total"));

  CliRun csv = run_cli("measure --csv --json=m.json -- echo x", "csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, StartsWith("domain,source,kind,"));
  EXPECT_EQ(parse_json(slurp(dir_ / "m.json"))["exit_code"], 0);

  CliRun both = run_cli("measure --json --csv -- touch ran", "both");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("cannot both print on stdout"));
  EXPECT_FALSE(fs::exists(dir_ / "ran")) << "the command must not run";
}

TEST_F(OutputOptionCli, MeasureOldFileFormIsRefusedBeforeAnythingRuns) {
  // Read as it was meant before, r.json would now be the command, or an unexpected argument.
  expect_old_form_refused(run_cli("measure --json r.json -- touch ran", "dash"), "r.json");
  expect_old_form_refused(run_cli("measure --json r.json touch ran", "bare"), "r.json");
  EXPECT_FALSE(fs::exists(dir_ / "ran"));
}

TEST_F(OutputOptionCli, TuneJsonToStdoutAndProgressToStderr) {
  std::ofstream(dir_ / "b.toml") << kBranin;
  CliRun out = run_cli("tune b.toml --json", "stdout");
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const auto json = parse_json(out.out);
  EXPECT_EQ(json["study"], "b");
  EXPECT_EQ(json["trials"].size(), 3u);
  EXPECT_THAT(out.err, HasSubstr("round 3/3"));
  EXPECT_THAT(out.err, HasSubstr("best: trial"));

  CliRun file = run_cli("tune b.toml --rounds 4 --json=t.json", "file");
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_EQ(parse_json(slurp(dir_ / "t.json"))["trials"].size(), 4u);
  EXPECT_THAT(file.out, HasSubstr("round 4/4"));

  expect_old_form_refused(run_cli("tune b.toml --rounds 5 --json r.json", "old"), "r.json");
  CliRun after = run_cli("trials b --storage sqlite:s.db --json", "after");
  EXPECT_EQ(parse_json(after.out).size(), 4u) << "the refused command ran no round";
}

TEST_F(OutputOptionCli, TuneRefusesAMissingFolderBeforeTheFirstRound) {
  std::ofstream(dir_ / "b.toml") << kBranin;
  CliRun run = run_cli("tune b.toml --json=no/such/t.json");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("no/such"));
  EXPECT_FALSE(fs::exists(dir_ / "s.db")) << "no study started";
}

#ifdef GREENTUNE_TRAIN_CLI
TEST_F(OutputOptionCli, TrainJsonToStdoutAndTheTableToStderr) {
  fs::create_directories(dir_ / "fm");
  std::mt19937 rng(3);
  for (auto [prefix, count] : {std::pair{"train", 200u}, std::pair{"t10k", 50u}}) {
    greentune::idx_testing::write_idx_pair(dir_ / "fm", prefix, count, [&](std::string& image) {
      for (auto& p : image) p = static_cast<char>(rng() % 256);
      return static_cast<int>(rng() % 10);
    });
  }
  const std::string args = "train --model densepoly --dataset fashion-mnist --data-dir " +
                           (dir_ / "fm").string() +
                           " --threads 1 --epochs 1 --batch-size 50 --no-energy --no-profile";
  CliRun out = run_cli(args + " --json", "stdout");
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(parse_json(out.out)["epochs"].size(), 1u);
  EXPECT_THAT(out.err, HasSubstr("test accuracy"));

  expect_old_form_refused(run_cli(args + " --json r.json", "old"), "r.json");
}
#endif

}  // namespace
