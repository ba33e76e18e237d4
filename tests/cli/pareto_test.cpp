// End-to-end: a two-objective study (ZDT1, random, with a constraint) run by `greentune tune`,
// then `greentune pareto` as a table and as JSON, checked against the front computed here from
// the trials `tune --json` wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;

constexpr double kBoundF1 = 0.9;  // [constraints] f1 = "<= 0.9" below

// One study of 12 random ZDT1 trials with f1 <= 0.9, made once for the suite; --no-energy keeps
// it independent of the machine's meters.
class ParetoCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("greentune-cli-pareto-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "z.toml") << "[study]\nname = \"z\"\nstorage = \"sqlite:s.db\"\n"
                                      "strategy = \"random\"\nobjective = \"zdt1\"\nrounds = 12\n"
                                      "seed = 5\n[constraints]\nf1 = \"<= 0.9\"\n";
    tune_ = run("tune z.toml --no-energy --json=tune.json");
    ASSERT_EQ(tune_.exit_code, 0) << tune_.err;
    trials_ = nlohmann::json::parse(slurp(dir_ / "tune.json"))["trials"];
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static CliRun run(const std::string& arguments) {
    return greentune::cli_testing::run_cli(dir_, arguments);
  }

  // The numbers of the feasible trials no other feasible trial dominates (both minimised).
  static std::set<int> expected_front() {
    std::vector<nlohmann::json> feasible;
    for (const auto& t : trials_)
      if (t["state"] == "complete" && t["values"][0].get<double>() <= kBoundF1)
        feasible.push_back(t);
    std::set<int> front;
    for (const auto& a : feasible) {
      bool dominated = false;
      for (const auto& b : feasible) {
        const double a1 = a["values"][0], a2 = a["values"][1];
        const double b1 = b["values"][0], b2 = b["values"][1];
        dominated = dominated || (b1 <= a1 && b2 <= a2 && (b1 < a1 || b2 < a2));
      }
      if (!dominated) front.insert(a["number"].get<int>());
    }
    return front;
  }

  static std::filesystem::path dir_;
  static CliRun tune_;
  static nlohmann::json trials_;
};

std::filesystem::path ParetoCli::dir_;
CliRun ParetoCli::tune_;
nlohmann::json ParetoCli::trials_;

TEST_F(ParetoCli, TuneReportsTheFrontInsteadOfABestValue) {
  EXPECT_THAT(tune_.out, HasSubstr("minimize f1, minimize f2, f1 <= 0.9"));
  EXPECT_THAT(tune_.out, HasSubstr("front: "));
  EXPECT_THAT(tune_.out, HasSubstr("greentune pareto z --storage sqlite:s.db"));
  const auto json = nlohmann::json::parse(slurp(dir_ / "tune.json"));
  std::set<int> members;
  for (const auto& n : json["front"]["members"]) members.insert(n.get<int>());
  EXPECT_EQ(members, expected_front());
}

TEST_F(ParetoCli, JsonListsExactlyTheNonDominatedFeasibleTrials) {
  CliRun r = run("pareto z --storage sqlite:s.db --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["study"], "z");
  EXPECT_EQ(json["trials"], 12);
  EXPECT_EQ(json["metrics"], nlohmann::json({"f1", "f2"}));
  std::set<int> members;
  for (const auto& t : json["front"]) {
    members.insert(t["number"].get<int>());
    EXPECT_LE(t["values"][0].get<double>(), kBoundF1);
    EXPECT_TRUE(t["params"].contains("x0"));
  }
  const auto expected = expected_front();
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(members, expected);
  // The front is listed best first objective first.
  for (size_t i = 1; i < json["front"].size(); ++i)
    EXPECT_LE(json["front"][i - 1]["values"][0].get<double>(),
              json["front"][i]["values"][0].get<double>());
  EXPECT_GT(json["hypervolume"].get<double>(), 0.0);
  if (members.size() >= 3) {
    ASSERT_TRUE(json["knee"].is_number());
    EXPECT_TRUE(members.count(json["knee"].get<int>()));
  }
  // --no-energy: every trial's joules are 0, so none is cheaper than another.
  EXPECT_TRUE(json["cheapest_within"]["trial"].is_null());
  EXPECT_EQ(json["cheapest_within"]["objective"], "f1");
}

TEST_F(ParetoCli, TableHasOneRowPerFrontTrial) {
  CliRun r = run("pareto z --storage sqlite:s.db");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("study z: f1 (minimize), f2 (minimize); 12 trials"));
  EXPECT_THAT(r.out, HasSubstr("f1 <= 0.9"));
  EXPECT_THAT(r.out, HasSubstr("front: " + std::to_string(expected_front().size()) + " trial(s)"));
  std::istringstream in(r.out);
  std::string line;
  std::set<int> rows;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.find("number") != std::string::npos && line.find("params") != std::string::npos) {
      in_table = true;
      continue;
    }
    if (in_table && line.find("x0=") != std::string::npos) rows.insert(std::stoi(line));
  }
  EXPECT_EQ(rows, expected_front());
  EXPECT_THAT(r.out, HasSubstr("cheapest within 0.01 of the best f1: none (no energy recorded)"));
}

TEST_F(ParetoCli, UnknownStudyAndBadWithinExitTwo) {
  CliRun r = run("pareto nosuch --storage sqlite:s.db");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no study 'nosuch'"));
  EXPECT_THAT(r.err, HasSubstr("it has: z"));
  r = run("pareto z --storage sqlite:s.db --within=-3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("-3"));
  // Reading never creates a store.
  r = run("pareto z --storage sqlite:missing.db");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing.db"));
}

}  // namespace
