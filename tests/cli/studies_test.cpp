// End-to-end: `greentune studies` and `greentune trials` output formats and errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// Two studies (random branin, 4 rounds; grid hartmann6, 3 rounds) in one store, made once.
class StudiesCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("greentune-cli-studies-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "b.toml") << "[study]\nname = \"bran\"\nstorage = \"sqlite:s.db\"\n"
                                      "strategy = \"random\"\nobjective = \"branin\"\nrounds = 4\n";
    std::ofstream(dir_ / "h.toml")
        << "[study]\nname = \"hart\"\nstorage = \"sqlite:s.db\"\n"
           "strategy = \"grid\"\nobjective = \"hartmann6\"\nrounds = 3\n";
    ASSERT_EQ(run("tune b.toml").exit_code, 0);
    ASSERT_EQ(run("tune h.toml").exit_code, 0);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static CliRun run(const std::string& arguments) {
    return greentune::cli_testing::run_cli(dir_, arguments);
  }

  static std::filesystem::path dir_;
};

std::filesystem::path StudiesCli::dir_;

TEST_F(StudiesCli, StudiesTableListsEveryStudyWithCounts) {
  CliRun r = run("studies --storage sqlite:s.db");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 3u) << r.out;
  EXPECT_THAT(rows[0], HasSubstr("complete"));
  EXPECT_THAT(rows[0], HasSubstr("joules"));
  EXPECT_THAT(rows[1], ::testing::MatchesRegex("bran +random +branin +4 +0 +0 +0 .*"));
  EXPECT_THAT(rows[2], ::testing::MatchesRegex("hart +grid +hartmann6 +3 +0 +0 +0 .*"));
}

TEST_F(StudiesCli, StudiesJsonHasBestAndStates) {
  CliRun r = run("studies --storage s.db --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["name"], "bran");
  EXPECT_EQ(json[0]["direction"], "minimize");
  EXPECT_EQ(json[0]["trials"]["complete"], 4);
  EXPECT_TRUE(json[0]["best"].is_number());
  EXPECT_EQ(json[1]["strategy"], "grid");
}

TEST_F(StudiesCli, TrialsJsonCsvAndTable) {
  CliRun j = run("trials bran --storage sqlite:s.db --json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto json = nlohmann::json::parse(j.out);
  ASSERT_EQ(json.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(json[i]["number"], i + 1);  // 1-based, as every output counts
    EXPECT_EQ(json[i]["state"], "complete");
    EXPECT_TRUE(json[i]["value"].is_number());
    EXPECT_TRUE(json[i]["params"].contains("x1"));
    EXPECT_TRUE(json[i]["seconds"].is_number());
    EXPECT_TRUE(json[i]["joules"].is_number());
    EXPECT_TRUE(json[i]["energy"].is_array());
  }

  CliRun c = run("trials bran --storage sqlite:s.db --csv");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto rows = lines(c.out);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], "number,state,value,seconds,joules,host,started_at,finished_at,x1,x2");
  EXPECT_THAT(rows[1], ::testing::StartsWith("1,complete,"));
  // The CSV value is the JSON value.
  auto fields = rows[1].substr(11);
  EXPECT_NEAR(std::stod(fields.substr(0, fields.find(','))), json[0]["value"].get<double>(), 1e-6);

  CliRun t = run("trials hart --storage sqlite:s.db");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_EQ(lines(t.out).size(), 4u);
  EXPECT_THAT(t.out, HasSubstr("x6="));
}

TEST_F(StudiesCli, UnknownStudyOrMissingStoreExitTwo) {
  CliRun unknown = run("trials nope --storage sqlite:s.db");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("nope"));
  EXPECT_THAT(unknown.err, HasSubstr("bran"));
  CliRun missing = run("studies --storage sqlite:absent.db");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("absent.db"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "absent.db"));
}

TEST_F(StudiesCli, ListingCommandsRefuseAnEmptyFileAndLeaveItEmpty) {
  std::ofstream(dir_ / "empty.db").close();
  for (const char* command :
       {"studies --storage sqlite:empty.db", "trials bran --storage empty.db", "report empty.db"}) {
    CliRun r = run(command);
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_THAT(r.err, HasSubstr("empty file")) << command;
    EXPECT_EQ(std::filesystem::file_size(dir_ / "empty.db"), 0u) << command;
  }
}

TEST_F(StudiesCli, ListingCommandsNeverWriteTheStore) {
  std::filesystem::copy_file(dir_ / "s.db", dir_ / "copy.db");
  const std::string before = slurp(dir_ / "copy.db");
  for (const char* command : {"studies --storage copy.db", "trials hart --storage copy.db --json",
                              "report copy.db --out copy-report"}) {
    CliRun r = run(command);
    EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
    EXPECT_EQ(slurp(dir_ / "copy.db"), before) << command;
    // Nor are SQLite's -wal and -shm files of the WAL store left behind.
    EXPECT_FALSE(std::filesystem::exists(dir_ / "copy.db-wal")) << command;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "copy.db-shm")) << command;
  }
}

TEST_F(StudiesCli, ADamagedTrialIsMarkedAndEveryListingStillWorks) {
  std::filesystem::copy_file(dir_ / "s.db", dir_ / "damaged.db");
  // Trial 2 of bran: its parameter is null, as +-1e308 bounds once stored it.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "damaged.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE trials SET record_json = json_set(record_json, '$.params.x1', "
                           "json('null')) WHERE number = 2 AND study_id = "
                           "(SELECT id FROM studies WHERE name = 'bran')",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  CliRun studies = run("studies --storage damaged.db --json");
  ASSERT_EQ(studies.exit_code, 0) << studies.err;
  auto json = nlohmann::json::parse(studies.out);
  EXPECT_EQ(json[0]["trials"]["complete"], 3);
  EXPECT_EQ(json[0]["trials"]["failed"], 1);
  EXPECT_EQ(json[1]["trials"]["complete"], 3);
  EXPECT_THAT(studies.err, HasSubstr("study bran, trial 2 is counted as failed"));
  EXPECT_THAT(studies.err, HasSubstr("params.x1"));

  CliRun table = run("trials bran --storage damaged.db");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(lines(table.out).at(2), ::testing::MatchesRegex(" +2  damaged .*"));
  EXPECT_THAT(table.err, HasSubstr("trial 2 is listed as failed"));
  CliRun trials = run("trials bran --storage damaged.db --json");
  ASSERT_EQ(trials.exit_code, 0) << trials.err;
  EXPECT_EQ(nlohmann::json::parse(trials.out)[1]["state"], "failed");
  CliRun report = run("report damaged.db --out damaged-report");
  EXPECT_EQ(report.exit_code, 0) << report.err;
}

}  // namespace
