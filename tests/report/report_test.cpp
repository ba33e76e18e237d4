#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "greentune/common/atomic_file.hpp"
#include "greentune/common/error.hpp"
#include "greentune/report/export.hpp"
#include "greentune/report/html.hpp"
#include "report/memory_storage.hpp"
#include "report/report_support.hpp"

namespace greentune::report {
namespace {

using testing::count;
using testing::fresh_dir;

size_t csv_records(const std::string& csv) {
  // Records, not lines: quoted fields may hold line breaks.
  size_t records = 0;
  bool quoted = false;
  for (char c : csv) {
    if (c == '"')
      quoted = !quoted;
    else if (c == '\n' && !quoted)
      ++records;
  }
  return records;
}

TEST(Report, WritesHtmlCsvAndJsonWithEveryTrial) {
  testing::MemoryStorage storage;
  int trials = testing::fill_example_store(storage, {});
  auto dir = fresh_dir("full");
  auto files = write_report(storage, dir, {});
  ASSERT_TRUE(std::filesystem::exists(files.html));
  EXPECT_EQ(files.trials, trials);
  EXPECT_EQ(files.studies, 4);

  std::string csv = read_file(files.csv);
  EXPECT_EQ(csv_records(csv), static_cast<size_t>(trials) + 1);  // + header
  EXPECT_NE(csv.find("param:lr"), std::string::npos);
  EXPECT_NE(csv.find("energy:package-0:kind"), std::string::npos);
  EXPECT_NE(csv.find(",measured,powercap"), std::string::npos);

  auto json = nlohmann::json::parse(read_file(files.json));
  size_t json_trials = 0;
  for (const auto& study : json["studies"]) json_trials += study["trials"].size();
  EXPECT_EQ(json_trials, static_cast<size_t>(trials));
  const auto& first = json["studies"][0]["trials"][0];
  EXPECT_EQ(first["energy"][0]["kind"], "measured");
  EXPECT_TRUE(first["attributes"].is_object());
  EXPECT_EQ(first["number"], 1);
  EXPECT_EQ(first["intermediate"].size(), 2u);
  EXPECT_EQ(first["energy"][0]["name"], "package-0");
  EXPECT_TRUE(first["params"]["lr"].is_number());

  std::string html = read_file(files.html);
  // Every chart the report announces is an inline SVG drawn by greentune's own writer.
  EXPECT_GE(files.charts, 10);  // 6 tuning + 3 sweep + per-epoch split
  EXPECT_EQ(count(html, "<figure class=\"chart\""), static_cast<size_t>(files.charts));
  EXPECT_EQ(count(html, "<svg"), static_cast<size_t>(files.charts));
  EXPECT_EQ(count(html, "<svg class=\"greentune-chart\""), static_cast<size_t>(files.charts));
  EXPECT_EQ(html.find("GNUPLOT"), std::string::npos);
  for (const char* chart :
       {"best-so-far", "cumulative-joules", "value-vs-joules", "rounds-to-optimum",
        "joules-to-optimum", "joules-per-trial", "energy-per-added-layer", "energy-per-layer-type",
        "sweep-pareto", "epoch-energy"})
    EXPECT_NE(html.find(std::string("data-chart=\"") + chart + "\""), std::string::npos) << chart;
  // Offline: nothing to fetch.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  // Provenance, machine, carbon and the paper's figures.
  EXPECT_NE(html.find("measured: dram-0, package-0 (powercap)"), std::string::npos);
  EXPECT_NE(html.find("Test CPU"), std::string::npos);
  EXPECT_NE(html.find("libopenblas.so.0"), std::string::npos);
  EXPECT_NE(html.find("300 gCO2e/kWh"), std::string::npos);
  EXPECT_NE(html.find("PUE"), std::string::npos);
  EXPECT_NE(html.find("26.5"), std::string::npos);
  EXPECT_NE(html.find("+95.3% | +66.4%"), std::string::npos);
  EXPECT_NE(html.find("0.749"), std::string::npos);
  EXPECT_NE(html.find("Cheapest run within 0.01"), std::string::npos);
  // Every strategy's trials cost 1000-1200 J here: the check finds no difference beyond spread.
  EXPECT_NE(html.find("Joules per trial agree between arms within their spread"),
            std::string::npos);
  // Effect sizes name their method (issue 13).
  EXPECT_NE(html.find("[(H−k+1)/(n−k)]"), std::string::npos);
  EXPECT_NE(html.find("ε² = "), std::string::npos);
}

// Regression (issue 13: the Pareto table listed one configuration twice). The example sweep runs
// every configuration twice ("rep" 0 and 1): the table has one row per configuration, at the mean.
TEST(Report, ParetoTableHasOneRowPerConfiguration) {
  testing::MemoryStorage storage;
  testing::fill_example_store(storage, {});
  auto dir = fresh_dir("pareto");
  std::string html = read_file(write_report(storage, dir, {}).html);
  auto start = html.find("<h4>Pareto front</h4>");
  ASSERT_NE(start, std::string::npos);
  std::string table = html.substr(start, html.find("</table>", start) - start);
  std::set<std::string> configurations;
  size_t rows = 0;
  for (size_t at = table.find("<tr><td>"); at != std::string::npos;
       at = table.find("<tr><td>", at + 1)) {
    size_t begin = at + 8;
    std::string configuration = table.substr(begin, table.find("</td>", begin) - begin);
    EXPECT_TRUE(configurations.insert(configuration).second) << "twice: " << configuration;
    EXPECT_EQ(configuration.find("rep="), std::string::npos);
    ++rows;
  }
  EXPECT_GE(rows, 2u);
  EXPECT_EQ(count(table, "<td>2</td>"), rows);  // every configuration ran twice
  EXPECT_NE(table.find("95 % CI, n = 2"), std::string::npos);
}

TEST(Report, LabelsEstimatedEnergy) {
  testing::MemoryStorage storage;
  testing::ExampleStore example;
  example.energy_kind = "estimated";
  testing::fill_example_store(storage, example);
  auto dir = fresh_dir("estimated");
  auto files = write_report(storage, dir, {});
  std::string html = read_file(files.html);
  EXPECT_NE(html.find("estimated: dram-0, package-0 (estimate)"), std::string::npos);
  EXPECT_NE(html.find("energy per trial, estimated"), std::string::npos);
  EXPECT_NE(html.find("cumulative energy, estimated"), std::string::npos);
  EXPECT_EQ(html.find(", measured ("), std::string::npos);
}

TEST(Report, EscapesEveryStringFromTheStore) {
  testing::MemoryStorage storage;
  testing::ExampleStore example;
  example.hostile_text = "<script>alert('x')</script>&\"";
  testing::fill_example_store(storage, example);
  auto dir = fresh_dir("hostile");
  auto files = write_report(storage, dir, {});
  std::string html = read_file(files.html);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"),
            std::string::npos);
  // Chart legends and data attributes carry the study names too, escaped by the SVG writer.
  EXPECT_EQ(count(html, "<svg"), static_cast<size_t>(files.charts));
  EXPECT_NE(html.find(">bayes&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;</text>"),
            std::string::npos);
  std::string csv = read_file(files.csv);
  EXPECT_NE(csv.find("\"exp/bayes<script>alert('x')</script>&\"\"\""), std::string::npos);
}

TEST(Report, WorksWithoutEpochOrLayerRecords) {
  testing::MemoryStorage storage;
  testing::ExampleStore example;
  example.with_epochs = false;
  example.with_layers = false;
  testing::fill_example_store(storage, example);
  auto dir = fresh_dir("bare");
  auto files = write_report(storage, dir, {});
  std::string html = read_file(files.html);
  EXPECT_EQ(html.find("data-chart=\"epoch-energy\""), std::string::npos);
  EXPECT_NE(html.find("No per-layer-type attribution"), std::string::npos);
  EXPECT_EQ(count(html, "<svg"), static_cast<size_t>(files.charts));
}

// Regression (issue 13): the report's optimum round was 0-based inside and printed +1, beside
// 0-based trial numbers elsewhere. Every output now names the trial by its stored number.
TEST(Report, OptimumRoundIsTheTrialNumberEveryOutputUses) {
  testing::MemoryStorage storage;
  tune::StudyInfo info;
  info.name = "numbers";
  info.strategy = "random";
  info.objective = "branin";
  info.direction = tune::Direction::maximize;
  info.space_json = "{}";
  auto study = storage.create_or_open_study(info);
  for (double value : {0.5, 0.7, 0.9, 0.6}) {
    auto trial = storage.claim_trial(study.id, {"h", 1, ""}, [](const auto&) {
      return std::optional<tune::Params>(tune::Params{});
    });
    tune::Trial result;
    result.state = tune::TrialState::complete;
    result.values = {value};
    result.joules = 10;
    storage.finish_trial(trial->id, result);
  }
  auto dir = fresh_dir("numbers");
  auto files = write_report(storage, dir, {});
  // The best (0.9) is trial 3, the third round: the table says round 3.
  std::string html = read_file(files.html);
  EXPECT_NE(html.find("<td>0.9000</td><td>3</td><td>30.0 J</td>"), std::string::npos);
  auto json = nlohmann::json::parse(read_file(files.json));
  const auto& trials = json["studies"][0]["trials"];
  ASSERT_EQ(trials.size(), 4u);
  EXPECT_EQ(trials[0]["number"], 1);
  EXPECT_EQ(trials[2]["number"], 3);
  EXPECT_EQ(trials[2]["values"][0], 0.9);
  std::string csv = read_file(files.csv);
  EXPECT_NE(csv.find(",3,complete,0.9,"), std::string::npos);
}

TEST(Report, EmptyStoreStillReports) {
  testing::MemoryStorage storage;
  auto dir = fresh_dir("empty");
  auto files = write_report(storage, dir, {});
  EXPECT_EQ(files.charts, 0);
  EXPECT_EQ(csv_records(read_file(files.csv)), 1u);
  EXPECT_NE(read_file(files.html).find("0 studies"), std::string::npos);
}

// Regression (issue 12: the report step failed the whole experiment when gnuplot was missing).
// Charts no longer need any program: with no gnuplot anywhere the report is written whole.
TEST(Report, NeedsNoGnuplot) {
  testing::MemoryStorage storage;
  testing::fill_example_store(storage, {});
  auto dir = fresh_dir("no-gnuplot");
  const char* old_path = std::getenv("PATH");
  std::string saved = old_path ? old_path : "";
  ::setenv("PATH", dir.c_str(), 1);
  ::setenv("GREENTUNE_GNUPLOT", (dir / "missing").c_str(), 1);
  ReportFiles files;
  EXPECT_NO_THROW(files = write_report(storage, dir / "out", {}));
  ::setenv("PATH", saved.c_str(), 1);
  ::unsetenv("GREENTUNE_GNUPLOT");
  EXPECT_GE(files.charts, 9);
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "report.html"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "trials.csv"));
}

TEST(Export, CsvQuotesFieldsThatNeedIt) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
}

}  // namespace
}  // namespace greentune::report
