#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "greentune/common/atomic_file.hpp"
#include "greentune/common/error.hpp"
#include "greentune/report/charts.hpp"
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
  // Every chart the report announces is an inline SVG drawn by gnuplot.
  EXPECT_GE(files.charts, 9);  // 5 tuning + 3 sweep + per-epoch split
  EXPECT_EQ(count(html, "<figure class=\"chart\""), static_cast<size_t>(files.charts));
  EXPECT_EQ(count(html, "<svg"), static_cast<size_t>(files.charts));
  EXPECT_EQ(count(html, "Produced by GNUPLOT"), static_cast<size_t>(files.charts));
  for (const char* chart : {"best-so-far", "cumulative-joules", "value-vs-joules",
                            "rounds-to-optimum", "joules-to-optimum", "energy-per-added-layer",
                            "energy-per-layer-type", "sweep-pareto", "epoch-energy"})
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
  EXPECT_NE(html.find("joules (estimated)"), std::string::npos);
  EXPECT_EQ(html.find("joules (measured)"), std::string::npos);
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
  // Chart legends carry the study names too; gnuplot escapes them in its SVG.
  EXPECT_EQ(count(html, "<svg"), static_cast<size_t>(files.charts));
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

TEST(Report, BrokenGnuplotFailsWithItsMessageAndWritesNothing) {
  testing::MemoryStorage storage;
  testing::fill_example_store(storage, {});
  auto dir = fresh_dir("no-gnuplot");
  // A "gnuplot" that fails like a broken installation.
  auto fake = dir / "fake-gnuplot";
  write_file_atomically(fake, "#!/bin/sh\necho 'gnuplot: cannot open display' >&2\nexit 3\n");
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  ::setenv("GREENTUNE_GNUPLOT", fake.c_str(), 1);
  try {
    write_report(storage, dir / "out", {});
    ADD_FAILURE() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open display"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("exit status 3"), std::string::npos) << e.what();
  }
  ::unsetenv("GREENTUNE_GNUPLOT");
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "report.html"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "trials.csv"));
}

TEST(Charts, GnuplotScriptErrorsAreReported) {
  EXPECT_THROW(run_gnuplot_svg("plot $nosuchblock using 1:2", 300, 200, "bad_"), IoError);
}

TEST(Charts, InlineSvgHasUniqueIdsAndNoNamespaceUrls) {
  XYChart chart{"t", "x", "y", {{"a", {{1, 2}, {2, 3}}, SeriesStyle::linespoints}}};
  std::string svg = render(chart, "k7_");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(svg.find("http"), std::string::npos);
  EXPECT_NE(svg.find("id='k7_gpPt"), std::string::npos);
  EXPECT_NE(svg.find("href='#k7_gpPt"), std::string::npos);
  EXPECT_EQ(svg.find("id='gp"), std::string::npos);
}

TEST(Export, CsvQuotesFieldsThatNeedIt) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
}

}  // namespace
}  // namespace greentune::report
