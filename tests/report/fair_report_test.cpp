// Issue 13: a report that answers the question fairly. Strategies over seeds (bands, median and
// IQR), both optimum rounds, trials under load, uncertainty in tables and charts, and a paper
// comparison that says what differs and compares only like with like.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "greentune/common/atomic_file.hpp"
#include "greentune/report/html.hpp"
#include "report/memory_storage.hpp"
#include "report/report_support.hpp"

namespace greentune::report {
namespace {

using testing::count;
using testing::fresh_dir;

std::string report_of(const testing::ExampleStore& example, const std::string& name,
                      ReportFiles* files = nullptr) {
  testing::MemoryStorage storage;
  testing::fill_example_store(storage, example);
  auto written = write_report(storage, fresh_dir(name), {});
  if (files) *files = written;
  return read_file(written.html);
}

// The SVG of one chart of the page, by its data-chart name.
std::string chart(const std::string& html, const std::string& name) {
  auto at = html.find("data-chart=\"" + name + "\"");
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("</figure>", at) - at);
}

TEST(FairReport, SeedsGiveOneLinePerStrategyWithABandAndMediansWithIqr) {
  testing::ExampleStore example;
  example.seeds = 3;
  std::string html = report_of(example, "seeds");
  // The energy view: best accuracy against cumulative joules, one line per strategy over seeds.
  std::string energy = chart(html, "best-vs-joules");
  ASSERT_FALSE(energy.empty());
  EXPECT_EQ(count(energy, "class=\"band\""), 3u);
  EXPECT_NE(energy.find(">bayes, median of 3</text>"), std::string::npos);
  EXPECT_NE(energy.find("cumulative energy, measured"), std::string::npos);
  EXPECT_EQ(count(chart(html, "best-so-far"), "class=\"band\""), 3u);
  // The trial-count view: both definitions, each as median and IQR over the three seeds.
  EXPECT_NE(html.find("optimum round, paper&#39;s definition (median, IQR)"), std::string::npos);
  EXPECT_NE(html.find("optimum round, robust (median, IQR)"), std::string::npos);
  EXPECT_GE(count(html, ", n = 3)</td>"), 6u);
  EXPECT_NE(html.find("99 % of the study&#39;s final improvement"), std::string::npos);
  // Rounds to optimum: whiskers are the IQR over seeds, bars in the strategies' colours.
  std::string rounds = chart(html, "rounds-to-optimum");
  EXPECT_GE(count(rounds, "class=\"error-bar\""), 6u);
  EXPECT_NE(rounds.find(">paper&#39;s definition</text>"), std::string::npos);
  EXPECT_NE(rounds.find(">robust (99 %)</text>"), std::string::npos);
  // The per-study table names every seed's study.
  EXPECT_NE(html.find("<td>grid/seed-3</td><td>3</td>"), std::string::npos);
}

TEST(FairReport, SaysWhetherTheStrategiesRanInterleaved) {
  testing::ExampleStore example;
  EXPECT_NE(report_of(example, "interleaved").find("The studies ran interleaved"),
            std::string::npos);
  example.interleaved = false;
  EXPECT_NE(report_of(example, "one-after-another").find("The studies did not run interleaved"),
            std::string::npos);
}

TEST(FairReport, FlagsAndCountsTrialsUnderLoad) {
  testing::ExampleStore example;
  example.loaded_every = 3;  // rounds 3, 6, 9, 12 of bayes
  ReportFiles files;
  std::string html = report_of(example, "load", &files);
  EXPECT_NE(html.find("Run conditions: 4 of 35 trials ran under load"), std::string::npos);
  EXPECT_NE(html.find("bayes 4 of 12, random 0 of 11, grid 0 of 12"), std::string::npos);
  EXPECT_NE(html.find("more than 10 % of the machine&#39;s busy CPU time"), std::string::npos);
  // Per study, and in the exports.
  EXPECT_NE(html.find("<td>4 of 12</td></tr>"), std::string::npos);
  std::string csv = read_file(files.csv);
  EXPECT_NE(csv.find(",cpu_share,other_cpu_seconds,under_load"), std::string::npos);
  EXPECT_NE(csv.find(",3.5,3.9,0.5,40,under load"), std::string::npos);
  EXPECT_NE(csv.find(",2,2.1,0.97,1.5,quiet"), std::string::npos);
  auto json = nlohmann::json::parse(read_file(files.json));
  EXPECT_EQ(json["studies"][0]["trials"][2]["under_load"], "under load");
  EXPECT_EQ(json["studies"][0]["trials"][2]["conditions"]["cpu_share"], 0.5);

  example.record_conditions = false;
  EXPECT_NE(report_of(example, "no-load").find("The machine&#39;s load was not recorded"),
            std::string::npos);
}

TEST(FairReport, RepetitionsGiveIntervalsInTablesAndErrorBarsInCharts) {
  testing::ExampleStore example;
  example.repetitions = 3;
  std::string html = report_of(example, "repetitions");
  // The best round's runs, per study.
  EXPECT_NE(html.find("(95 % CI, n = 3) over the round&#39;s runs"), std::string::npos);
  // Every trial of the scatter carries its round's interval.
  EXPECT_GE(count(chart(html, "value-vs-joules"), "class=\"error-bar\""), 30u);
  // Sweep repetitions: per configuration and per level, intervals and bars.
  EXPECT_EQ(count(chart(html, "energy-per-configuration"), "class=\"error-bar\""), 8u);
  EXPECT_EQ(count(chart(html, "energy-per-added-layer"), "class=\"error-bar\""), 3u);
  EXPECT_GE(count(chart(html, "epoch-energy"), "class=\"error-bar\""), 2u);
  EXPECT_NE(html.find("joules per run at each level (mean ± 95 % CI)"), std::string::npos);
  // Joules in tables are written by si_text ("1.09 kJ"), never as "1090.0 J".
  EXPECT_FALSE(std::regex_search(html, std::regex("<td>[0-9]{4,}\\.[0-9] J")));
  EXPECT_NE(html.find(" kJ"), std::string::npos);
}

TEST(FairReport, PaperComparisonSaysWhatDiffersAndComparesLikeWithLike) {
  testing::ExampleStore example;  // 12 rounds, 2 epochs, 1,000 images, CPU, measured CPU energy
  std::string html = report_of(example, "paper");
  auto paper = html.substr(html.find("<section id=\"paper\">"));
  EXPECT_NE(paper.find("What differs from the paper: tuning (RQ1): 12 rounds per study (paper "
                       "64); 1 training runs per round (paper 8); 2 epochs (paper 25); 1,000 "
                       "training images"),
            std::string::npos)
      << paper.substr(0, 800);
  EXPECT_NE(paper.find("CPU (paper: one GTX 1080 GPU)"), std::string::npos);
  EXPECT_NE(paper.find("energy measured dram-0, package-0 (paper: GPU only"), std::string::npos);
  // Budgets differ: shares of the budget, and the paper's rounds are not drawn in the tuning
  // section's chart.
  EXPECT_NE(paper.find("Budgets differ (12 rounds here, 64 in the paper)"), std::string::npos);
  EXPECT_NE(paper.find("26.5 (41 % of 64)"), std::string::npos);
  EXPECT_EQ(chart(html, "rounds-to-optimum").find("paper, Table III"), std::string::npos);
  // Table V as ratios on both sides, never our joules against the paper's GPU joules.
  EXPECT_NE(paper.find("1.95 (1674 J vs 857 J, GPU)"), std::string::npos);

  // With the paper's budget, its Table III stands beside ours in the chart.
  example.rounds = 64;
  std::string same = report_of(example, "paper-budget");
  EXPECT_NE(chart(same, "rounds-to-optimum").find(">paper, Table III mean</text>"),
            std::string::npos);
  EXPECT_NE(same.find("Same budget as the paper (64 rounds)"), std::string::npos);
}

TEST(FairReport, ASweepAloneSaysThereIsNoTuningToCompare) {
  testing::MemoryStorage storage;
  tune::StudyInfo info;
  info.name = "rq2/sweep";
  info.group = "rq2";
  info.strategy = "sweep";
  info.objective = "train";
  info.space_json = "{}";
  info.config_json = R"({"sweep": {"repetitions": 4}, "train": {"epochs": 2, "device": "cpu"}})";
  storage.create_or_open_study(info);
  std::string html = read_file(write_report(storage, fresh_dir("sweep-alone"), {}).html);
  EXPECT_NE(html.find("No tuning studies in this store"), std::string::npos);
  EXPECT_EQ(html.find("Budgets differ"), std::string::npos);
  EXPECT_NE(html.find("architecture sweep (RQ2): 4 runs of one hyperparameter setting per "
                      "configuration (paper 16 hyperparameter settings x 24 runs); 2 epochs "
                      "(paper 25); CPU (paper: one GTX 1080 GPU)"),
            std::string::npos);
}

// Regression: a Pareto front of one configuration (the real CPU sweep's) was a step line of one
// point, which draws nothing; it is drawn as a marker.
TEST(FairReport, AOnePointParetoFrontIsStillDrawn) {
  testing::MemoryStorage storage;
  tune::StudyInfo info;
  info.name = "one/sweep";
  info.group = "one";
  info.strategy = "sweep";
  info.objective = "train";
  info.direction = tune::Direction::maximize;
  info.space_json = "{}";
  auto study = storage.create_or_open_study(info);
  // conv=1 is both cheaper and better: the front is that one configuration.
  for (int64_t conv : {1, 4, 1, 4}) {
    auto trial = storage.claim_trial(study.id, {"h", 1, ""}, [&](const auto&) {
      return std::optional<tune::Params>(tune::Params{{"conv", conv}});
    });
    tune::Trial result;
    result.state = tune::TrialState::complete;
    result.values = {conv == 1 ? 0.82 : 0.79};
    result.joules = conv == 1 ? 80.0 : 180.0;
    storage.finish_trial(trial->id, result);
  }
  auto files = write_report(storage, fresh_dir("one-point-front"), {});
  std::string pareto = chart(read_file(files.html), "sweep-pareto");
  auto front = pareto.find("data-colour=\"#000000\"");
  ASSERT_NE(front, std::string::npos);
  std::string group = pareto.substr(front, pareto.find("</g>", front) - front);
  EXPECT_EQ(count(group, "<circle"), 1u) << group;
}

}  // namespace
}  // namespace greentune::report
