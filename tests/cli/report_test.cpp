// End-to-end: `greentune report` on a store written by `greentune tune` (benchmark objectives, so
// no LibTorch is needed): files written, every trial exported, clear errors on bad stores.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class ReportCli : public CliTest {
 protected:
  ReportCli() : CliTest("report") {}

  std::filesystem::path path(const std::string& name) const { return dir_ / name; }

  void tune(const std::string& strategy, int rounds) {
    std::ofstream(path(strategy + ".toml"))
        << "[study]\nname = \"branin/" << strategy
        << "\"\nstorage = \"sqlite:studies.db\"\nstrategy = \"" << strategy
        << "\"\nobjective = \"branin\"\nrounds = " << rounds << "\nseed = 3\n";
    auto result = run_cli("tune " + strategy + ".toml", "tune-" + strategy);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
};

TEST_F(ReportCli, ReportsEveryTrialOfEveryStudy) {
  tune("random", 5);
  tune("grid", 4);
  auto result = run_cli("report studies.db --out out", "report");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("report.html"));
  EXPECT_THAT(result.out, HasSubstr("2 studies, 9 trials"));

  std::string html = slurp(path("out/report.html"));
  EXPECT_GT(count(html, "<svg"), 0u);
  EXPECT_EQ(count(html, "<svg"), count(html, "<figure class=\"chart\""));
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_THAT(html, HasSubstr("branin/random"));

  std::string csv = slurp(path("out/trials.csv"));
  EXPECT_EQ(count(csv, "\n"), 10u);  // header + 9 trials
  EXPECT_THAT(csv, HasSubstr("param:x1"));
  auto json = nlohmann::json::parse(slurp(path("out/trials.json")));
  ASSERT_EQ(json["studies"].size(), 2u);
  EXPECT_EQ(json["studies"][0]["trials"].size() + json["studies"][1]["trials"].size(), 9u);
  // `greentune tune` records the machine's state while each trial ran (issue 13), whatever the
  // objective: here the benchmark, read from this machine's /proc.
  for (const auto& study : json["studies"])
    for (const auto& trial : study["trials"]) {
      EXPECT_TRUE(trial["conditions"]["load_average_start"].is_number()) << trial.dump();
      EXPECT_TRUE(trial["conditions"]["load_average_end"].is_number()) << trial.dump();
      EXPECT_TRUE(trial["conditions"]["other_cpu_seconds"].is_number()) << trial.dump();
      EXPECT_TRUE(trial["under_load"].is_string());
    }

  // Reading is all a report does: the store is byte-for-byte unchanged by a second report.
  std::string before = slurp(path("studies.db"));
  ASSERT_EQ(run_cli("report sqlite:studies.db --out out2", "again").exit_code, 0);
  EXPECT_EQ(slurp(path("studies.db")), before);
}

TEST_F(ReportCli, MissingStoreIsAnInputErrorAndCreatesNothing) {
  auto result = run_cli("report nosuch.db --out out", "missing");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("nosuch.db"));
  EXPECT_FALSE(std::filesystem::exists(path("nosuch.db")));
  EXPECT_FALSE(std::filesystem::exists(path("out/report.html")));
}

TEST_F(ReportCli, CorruptStoreFailsClearlyAndWritesNoReport) {
  std::ofstream(path("junk.db")) << "this is not an SQLite database, just text\n";
  auto result = run_cli("report junk.db --out out", "corrupt");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("junk.db"));
  EXPECT_FALSE(std::filesystem::exists(path("out/report.html")));
  EXPECT_EQ(slurp(path("junk.db")), "this is not an SQLite database, just text\n");
}

TEST_F(ReportCli, BadToleranceIsRejected) {
  tune("random", 2);
  auto result = run_cli("report studies.db --out out --tolerance -1", "tolerance");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--tolerance"));
}

}  // namespace
