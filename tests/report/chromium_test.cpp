// Opens a generated report, and a page with every kind of chart, in headless Chromium at 1280 px
// as a person would, and checks what the browser drew: every chart has a size, no text is smaller
// than 12 px or runs out of its chart, legends stay inside their plots. The screenshots stay in
// the build tree (tests/report-artefacts/) as test artefacts.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <regex>

#include "greentune/common/atomic_file.hpp"
#include "greentune/report/html.hpp"
#include "greentune/report/svg_chart.hpp"
#include "report/memory_storage.hpp"
#include "report/report_support.hpp"

namespace greentune::report {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

int run(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string chromium_command(const std::filesystem::path& profile, int height = 4000) {
  // No network, no first-run work, a throw-away profile: the report must render offline.
  return std::string(kChromium) +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
         " --disable-background-networking --disable-component-update --disable-sync"
         " --disable-dev-shm-usage --hide-scrollbars --user-data-dir=" +
         profile.string() + " --window-size=1280," + std::to_string(height);
}

// Measures, after load, what the browser drew of every chart and writes it into <body> as data
// attributes, which --dump-dom then shows: rendered sizes, the smallest text in CSS pixels, text
// running out of its chart or its legend, and legends outside their plot area.
constexpr const char* kProbeScript = R"(<script>
(function () {
  var sizes = [], smallest = 1e9, overflow = [], legends = [];
  document.querySelectorAll('figure.chart svg').forEach(function (svg, index) {
    var r = svg.getBoundingClientRect();
    sizes.push(Math.round(r.width) + 'x' + Math.round(r.height));
    var view = svg.viewBox.baseVal, scale = r.width / view.width;
    svg.querySelectorAll('text').forEach(function (t) {
      smallest = Math.min(smallest, parseFloat(t.getAttribute('font-size')) * scale);
      var b = t.getBoundingClientRect();
      if (b.left < r.left - 1 || b.right > r.right + 1 || b.top < r.top - 1 ||
          b.bottom > r.bottom + 1)
        overflow.push(index + ':' + t.textContent);
    });
    var legend = svg.querySelector('.legend-box'), plot = svg.querySelector('.plot-area');
    if (legend && plot) {
      var l = legend.getBoundingClientRect(), p = plot.getBoundingClientRect();
      if (l.left < p.left - 1 || l.right > p.right + 1 || l.top < p.top - 1 ||
          l.bottom > p.bottom + 1)
        legends.push(index + ':outside');
      legend.parentNode.querySelectorAll('text').forEach(function (t) {
        if (t.getBoundingClientRect().right > l.right + 1) legends.push(index + ':' + t.textContent);
      });
    }
  });
  document.body.setAttribute('data-sizes', sizes.join(' '));
  document.body.setAttribute('data-smallest-font', smallest.toFixed(2));
  document.body.setAttribute('data-overflow', overflow.join('|'));
  document.body.setAttribute('data-legends', legends.join('|'));
})();
</script>)";

std::string attribute(const std::string& dom, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(dom, match, std::regex(name + "=\"([^\"]*)\""))) return "(missing)";
  return match[1];
}

struct Rendered {
  std::string dom;
  std::filesystem::path screenshot;
};

// Screenshot of `page`, and its DOM after the probe ran over a copy of it.
Rendered render_in_chromium(const std::filesystem::path& dir, const std::filesystem::path& page,
                            int height) {
  std::string html = read_file(page);
  auto at = html.rfind("</body>");
  if (at == std::string::npos) throw std::runtime_error("no </body> in " + page.string());
  write_file_atomically(dir / "probe.html", html.substr(0, at) + kProbeScript + html.substr(at));
  Rendered out;
  out.screenshot = dir / (page.stem().string() + ".png");
  int rc = run(chromium_command(dir / "profile-shot", height) +
               " --screenshot=" + out.screenshot.string() + " file://" + page.string() + " > " +
               (dir / "shot.log").string() + " 2>&1");
  if (rc != 0)
    throw std::runtime_error("chromium screenshot failed: " + read_file(dir / "shot.log"));
  auto dom_path = dir / "dom.html";
  rc = run(chromium_command(dir / "profile-dom", height) + " --dump-dom file://" +
           (dir / "probe.html").string() + " > " + dom_path.string() + " 2> " +
           (dir / "dom.log").string());
  if (rc != 0)
    throw std::runtime_error("chromium --dump-dom failed: " + read_file(dir / "dom.log"));
  out.dom = read_file(dom_path);
  return out;
}

void expect_legible(const Rendered& rendered, size_t charts) {
  const std::string& dom = rendered.dom;
  EXPECT_EQ(testing::count(dom, "<svg"), charts);
  std::string sizes = attribute(dom, "data-sizes");
  ASSERT_NE(sizes, "(missing)") << "the probe script did not run";
  std::regex size("(\\d+)x(\\d+)");
  size_t rendered_charts = 0;
  for (auto it = std::sregex_iterator(sizes.begin(), sizes.end(), size);
       it != std::sregex_iterator(); ++it) {
    EXPECT_GE(std::stoi((*it)[1]), 1000) << "a chart narrower than the page: " << sizes;
    EXPECT_GT(std::stoi((*it)[2]), 300) << sizes;
    ++rendered_charts;
  }
  EXPECT_EQ(rendered_charts, charts) << sizes;
  EXPECT_GE(std::stod(attribute(dom, "data-smallest-font")), 12.0);
  EXPECT_EQ(attribute(dom, "data-overflow"), "") << "text outside its chart";
  EXPECT_EQ(attribute(dom, "data-legends"), "") << "legend outside its plot or text outside it";
  std::printf("screenshot at 1280 px: %s\n", rendered.screenshot.c_str());
}

TEST(Chromium, EveryChartOfTheReportIsLegibleAt1280Pixels) {
  if (::access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " is not installed";
  testing::MemoryStorage storage;
  testing::fill_example_store(storage, {});
  auto dir = testing::fresh_dir("chromium");
  auto files = write_report(storage, dir, {});
  ASSERT_GT(files.charts, 0);
  auto rendered = render_in_chromium(dir, files.html, 7000);
  EXPECT_GT(std::filesystem::file_size(rendered.screenshot), 10000u);
  expect_legible(rendered, static_cast<size_t>(files.charts));
}

// A page with every kind of chart the writer draws, with data shaped like the report's (three
// strategies over seeds, a sweep's runs, per-trial joules), laid out as the report lays out its
// charts. Its screenshot is the one to look at when changing the writer.
std::string chart_gallery() {
  std::mt19937 rng(7);
  auto unit = [&rng] { return static_cast<double>(rng() % 100000) / 100000.0; };
  const std::vector<std::string> strategies = {"bayes", "random", "grid"};
  Palette palette;
  std::vector<std::pair<std::string, std::string>> charts;

  XYChart history;
  history.title = "Best accuracy so far per round (seed 1)";
  history.x = {"round", ""};
  history.x.integer = true;
  history.y = {"best accuracy", ""};
  XYChart energy;
  energy.title = "Best accuracy against cumulative energy: mean and range over 3 seeds";
  energy.x = {"cumulative energy, measured", "J", AxisScale::log};
  energy.y = {"best accuracy", ""};
  XYChart scatter;
  scatter.title = "Accuracy against energy per trial, all strategies";
  scatter.x = {"energy per trial, measured", "J"};
  scatter.y = {"accuracy", ""};
  BoxChart per_trial;
  per_trial.title = "Energy per trial by strategy (<b>same work</b> in every trial)";
  per_trial.y = {"energy per trial, measured", "J"};
  std::vector<std::pair<double, double>> all_points;
  for (size_t s = 0; s < strategies.size(); ++s) {
    const std::string& arm = strategies[s];
    XYSeries best{arm, arm, {}, Mark::step};
    XYSeries mean{arm + ", 3 seeds", arm, {}, Mark::line};
    XYSeries points{arm, arm, {}, Mark::points};
    BoxGroup joules{arm, arm, {}};
    double best_value = 0, cumulative = 0;
    for (int round = 1; round <= 64; ++round) {
      double trial_joules = 8.0 + s * 0.4 + unit() * 1.5;
      double accuracy = 0.70 + 0.12 * unit() + 0.01 * s * std::log(round);
      best_value = std::max(best_value, accuracy);
      cumulative += trial_joules;
      best.points.push_back({static_cast<double>(round), best_value});
      mean.points.push_back({cumulative, best_value});
      mean.band.push_back({best_value - 0.01 - 0.02 * unit(), best_value + 0.005 * unit()});
      points.points.push_back({trial_joules, accuracy});
      joules.values.push_back(trial_joules);
      all_points.emplace_back(trial_joules, accuracy);
    }
    history.series.push_back(best);
    energy.series.push_back(mean);
    scatter.series.push_back(points);
    per_trial.groups.push_back(joules);
  }
  std::sort(all_points.begin(), all_points.end());
  XYSeries front{"Pareto front", "", {}, Mark::step, SeriesRole::highlight};
  for (const auto& [j, a] : all_points)
    if (front.points.empty() || a > front.points.back().y) front.points.push_back({j, a});
  scatter.series.push_back(front);
  scatter.series.push_back({"cheapest within 0.01 of best <script>alert('x')</script>",
                            "",
                            {front.points[front.points.size() / 2]},
                            Mark::ring,
                            SeriesRole::highlight});

  BarChart rounds;
  rounds.title = "Optimum round per strategy: mean ± 95 % CI over seeds, beside the paper";
  rounds.y = {"round", ""};
  rounds.categories = strategies;
  rounds.colour_by_category = true;
  rounds.groups = {{"this run (3 seeds)", "", {22.7, 36, 20.3}, {{-40, 85}, {2, 70}, {NAN, NAN}}},
                   {"paper, Table III mean", "", {26.5, NAN, 34.3}, {}, SeriesRole::reference}};
  BarChart epochs;
  epochs.title = "Energy per epoch by phase and domain (stacked)";
  epochs.y = {"mean energy per run", "J"};
  epochs.categories = {"epoch 1", "epoch 2"};
  epochs.stacked = true;
  epochs.groups = {{"train package-0", "", {3100, 3050}},
                   {"train dram-0", "", {400, 390}},
                   {"eval package-0", "", {600, 610}},
                   {"eval dram-0", "", {80, 82}}};

  charts.emplace_back("history", render_svg(history, palette, "g1_"));
  charts.emplace_back("energy", render_svg(energy, palette, "g2_"));
  charts.emplace_back("scatter", render_svg(scatter, palette, "g3_"));
  charts.emplace_back("bars", render_svg(rounds, palette, "g4_"));
  charts.emplace_back("boxes", render_svg(per_trial, palette, "g5_"));
  charts.emplace_back("stacked", render_svg(epochs, palette, "g6_"));
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>greentune charts</title>\n<style>body { font-family: sans-serif; max-width: 1100px; "
      "margin: 2em auto; padding: 0 1em; } figure.chart { margin: 1.5em 0; } figure.chart svg { "
      "display: block; width: 100%; height: auto; }</style>\n</head>\n<body>\n";
  for (const auto& [name, svg] : charts)
    page += "<figure class=\"chart\" data-chart=\"" + name + "\">\n" + svg + "\n</figure>\n";
  return page + "</body>\n</html>\n";
}

TEST(Chromium, EveryChartKindIsLegibleAt1280Pixels) {
  if (::access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " is not installed";
  auto dir = testing::fresh_dir("chart-gallery");
  auto page = dir / "charts.html";
  write_file_atomically(page, chart_gallery());
  auto rendered = render_in_chromium(dir, page, 3300);
  EXPECT_GT(std::filesystem::file_size(rendered.screenshot), 10000u);
  expect_legible(rendered, 6);
  // The hostile legend text arrived as text, not as a script.
  EXPECT_EQ(testing::count(rendered.dom, "<script>alert"), 0u);
}

}  // namespace
}  // namespace greentune::report
