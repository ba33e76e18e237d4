// An architecture sweep (the paper's RQ2): the energy of each layer factor with its effect size,
// every configuration's mean with its 95 % CI over repetitions, the layer-type attribution and
// the accuracy-energy Pareto front, one row per configuration.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "greentune/report/load_check.hpp"
#include "greentune/report/paper_reference.hpp"
#include "greentune/report/sections.hpp"
#include "greentune/report/stats.hpp"
#include "greentune/report/uncertainty.hpp"
#include "greentune/tune/study.hpp"

namespace greentune::report {
namespace {

// The runs' joules at one level of one factor.
std::vector<double> joules_at(const std::vector<SweepRun>& runs, size_t factor, double level) {
  std::vector<double> out;
  for (const auto& run : runs)
    if (factor < run.factors.size() && run.factors[factor] == level) out.push_back(run.joules);
  return out;
}

// (high / low - 1) x 100 with a 95 % interval propagated to first order from both means'
// intervals: relative half-widths add in quadrature. No bar when either mean has no interval.
ErrorBar percent_change_bar(const std::vector<double>& low, const std::vector<double>& high) {
  auto l = mean_interval(low), h = mean_interval(high);
  if (!l.has_interval() || !h.has_interval() || l.mean <= 0 || h.mean <= 0) return {};
  const double ratio = h.mean / l.mean;
  const double relative = std::hypot(h.half_width / h.mean, l.half_width / l.mean);  // of the ratio
  return {(ratio * (1 - relative) - 1) * 100, (ratio * (1 + relative) - 1) * 100};
}

}  // namespace

void sweep_section(Page& page, const StudyRecord& study, const ReportOptions& options) {
  page.html += "<h3>Architecture sweep: " + html_escape(study.label()) + "</h3>\n";
  const std::string provenance = energy_provenance(study.trials);
  const std::string kind = kind_of(study.trials);
  std::vector<const tune::Trial*> runs, finished;
  for (const auto& trial : study.trials) {
    if (trial.state == tune::TrialState::complete && trial.value()) runs.push_back(&trial);
    if (tune::counts_as_round(trial.state)) finished.push_back(&trial);
  }
  if (runs.empty()) {
    page.html += "<p>No completed runs yet.</p>\n";
    return;
  }
  std::vector<std::string> factors;
  for (const auto& [name, value] : runs.front()->params)
    if (name != "rep" && std::isfinite(param_number(value))) factors.push_back(name);
  std::vector<SweepRun> sweep_runs;
  std::vector<Point> points;
  for (auto* trial : runs) {
    SweepRun run;
    for (const auto& factor : factors) {
      auto it = trial->params.find(factor);
      run.factors.push_back(it == trial->params.end() ? NAN : param_number(it->second));
    }
    run.joules = trial->joules;
    run.value = *trial->value();
    sweep_runs.push_back(run);
    points.push_back({run.value, run.joules});
  }
  page.paragraph(fmt::format("{} completed runs. Energy: {}.", runs.size(), provenance));
  auto load = count_load(finished);
  page.paragraph("Run conditions: " + load_sentence(load) + " " + load_rule_text(),
                 load.under_load > 0 ? "finding" : "note");

  auto effects = layer_effects(factors, sweep_runs);
  std::vector<std::vector<std::string>> rows;
  for (size_t f = 0; f < effects.size(); ++f) {
    const auto& e = effects[f];
    const auto* paper = find_paper_layer_effect(e.factor);
    std::string levels;
    for (size_t i = 0; i < e.levels.size(); ++i)
      levels += fmt::format("{}{:g}: {}", i ? "; " : "", e.levels[i],
                            joules_interval_text(joules_at(sweep_runs, f, e.levels[i])));
    rows.push_back(
        {e.factor, levels, fmt::format("{:g} -> {:g}", e.low_level, e.high_level),
         fmt::format("{:+.1f}%", e.percent_change), joules_text(e.joules_per_step),
         e.test ? fmt::format("{:.3f}", e.test->h) : "n/a",
         e.test ? fmt::format("{:.3g}", e.test->p_value) : "n/a",
         e.test ? effect_size_text(*e.test) : "n/a",
         paper ? fmt::format("{} : {:+.1f}% | {:+.1f}%", paper->change, paper->percent_fm,
                             paper->percent_c10)
               : "-",
         paper ? fmt::format("{:.3f} | {:.3f}", paper->eta_squared_fm, paper->eta_squared_c10)
               : "-"});
  }
  page.html += table({"factor", "joules per run at each level (mean ± 95 % CI)", "change",
                      "energy change", "joules per added layer", "Kruskal-Wallis H", "p",
                      "effect size (from H; method in brackets)", "paper change (FM | C10)",
                      "paper eta squared (FM | C10)"},
                     rows);

  BarChart per_layer =
      bar_chart(fmt::format("{}: energy change from fewest to most layers of each type ({})",
                            study.label(), kind),
                {"energy change", "%"}, {});
  BarGroup ours{"this sweep", {}}, paper_fm{"paper, FashionMNIST", {}},
      paper_c10{"paper, CIFAR-10", {}};
  paper_fm.role = paper_c10.role = SeriesRole::reference;
  for (size_t f = 0; f < effects.size(); ++f) {
    const auto& e = effects[f];
    if (e.levels.size() < 2) continue;
    per_layer.categories.push_back(
        fmt::format("{} {:g} -> {:g}", e.factor, e.low_level, e.high_level));
    ours.values.push_back(e.percent_change);
    ours.errors.push_back(percent_change_bar(joules_at(sweep_runs, f, e.low_level),
                                             joules_at(sweep_runs, f, e.high_level)));
    const auto* paper = find_paper_layer_effect(e.factor);
    paper_fm.values.push_back(paper ? paper->percent_fm : NAN);
    paper_c10.values.push_back(paper ? paper->percent_c10 : NAN);
  }
  per_layer.groups = {ours, paper_fm, paper_c10};
  page.bars("energy-per-added-layer", per_layer,
            "Mean energy of the runs with the most layers of one type against those with the "
            "fewest, over all levels of the other factors (relu: off -> on); whiskers: 95 % CI, "
            "propagated to first order from both means' intervals. The paper's ranges differ "
            "(conv 1 -> 4, linear 3 -> 7): compare direction and order, not size. Energy: " +
                provenance + "; paper: " + kPaperCitation + ".");

  // Every configuration with its repetitions' spread.
  std::vector<ConfigurationRun> config_runs;
  for (size_t i = 0; i < runs.size(); ++i)
    config_runs.push_back({config_label(runs[i]->params), points[i].value, points[i].joules});
  auto configurations = by_configuration(config_runs);
  BarChart per_config =
      bar_chart(fmt::format("{}: energy per run by configuration ({})", study.label(), kind),
                {fmt::format("energy per run, {}", kind), "J"}, {});
  BarGroup config_joules{"this sweep", {}};
  std::vector<std::vector<std::string>> config_rows;
  for (const auto& c : configurations) {
    per_config.categories.push_back(c.configuration);
    config_joules.values.push_back(c.joules);
    config_joules.errors.push_back(interval_bar(c.joules_per_run));
    config_rows.push_back({c.configuration, std::to_string(c.runs), value_interval_text(c.values),
                           joules_interval_text(c.joules_per_run)});
  }
  per_config.groups = {config_joules};
  page.bars("energy-per-configuration", per_config,
            "Mean energy per run of each configuration; whiskers: 95 % CI over its repetitions "
            "(none with a single run). Energy: " +
                provenance + ".");
  page.html +=
      "<h4>Configurations</h4>\n" + table({"configuration", "runs", "accuracy (mean ± 95 % CI)",
                                           "joules per run (mean ± 95 % CI)"},
                                          config_rows);

  // Layer-type attribution, averaged per configuration.
  std::map<std::string, std::map<std::string, std::vector<double>>> layers_by_config;
  std::set<std::string> layer_types;
  for (auto* trial : runs) {
    if (!trial->training) continue;
    for (const auto& [type, joules] : trial->training->layer_joules) {
      layers_by_config[config_label(trial->params)][type].push_back(joules);
      layer_types.insert(type);
    }
  }
  if (layer_types.empty()) {
    page.html += "<p>No per-layer-type attribution was recorded for these runs.</p>\n";
  } else {
    BarChart layers =
        bar_chart(fmt::format("{}: joules per layer type (attributed, {})", study.label(), kind),
                  {fmt::format("mean energy per run, {}, attributed", kind), "J"}, {}, true);
    for (const auto& [config, by_type] : layers_by_config) layers.categories.push_back(config);
    for (const auto& type : layer_types) {
      BarGroup g{type, {}};
      for (const auto& [config, by_type] : layers_by_config) {
        auto it = by_type.find(type);
        g.values.push_back(it == by_type.end() ? 0.0 : mean(it->second));
      }
      layers.groups.push_back(std::move(g));
    }
    page.bars("energy-per-layer-type", layers,
              "Each run's energy split by the share of forward+backward time each layer type "
              "took in profiled batches: attributed, not measured per layer. Stacked means over "
              "each configuration's runs; their spread is in the chart and table above. Energy: " +
                  provenance + ".");
  }

  // Accuracy-energy trade-off. The front is over configurations (the mean of their repetitions),
  // so a configuration appears once.
  auto front = pareto_configurations(config_runs);
  auto cheapest = cheapest_within(points, options.accuracy_tolerance);
  XYChart scatter =
      xy_chart(fmt::format("{}: accuracy against energy per run ({})", study.label(), kind),
               {fmt::format("energy per run, {}", kind), "J"}, {"accuracy", ""});
  // The runs take the colour of this sweep's bars in the chart above.
  XYSeries all_points{"runs", "this sweep", {}, Mark::points};
  for (const auto& p : points) all_points.points.push_back({p.joules, p.value});
  XYSeries front_series{
      "Pareto front (configuration means)", "", {}, Mark::step, SeriesRole::highlight};
  std::vector<std::vector<std::string>> front_rows;
  for (const auto& config : front) {
    front_series.points.push_back({config.joules, config.value});
    front_rows.push_back({config.configuration, std::to_string(config.runs),
                          value_interval_text(config.values),
                          joules_interval_text(config.joules_per_run)});
  }
  // A front of one configuration is a point, which a step line would not draw.
  if (front_series.points.size() == 1) front_series.mark = Mark::points;
  scatter.series = {all_points, front_series};
  if (cheapest) {
    scatter.series.push_back(
        {fmt::format("cheapest within {:g} of best", options.accuracy_tolerance),
         "",
         {{points[*cheapest].joules, points[*cheapest].value}},
         Mark::ring,
         SeriesRole::highlight});
  }
  page.xy("sweep-pareto", scatter,
          "Each point is one run; the front joins the configurations (at the mean of their runs) "
          "no other configuration beats in both accuracy and energy. Energy: " +
              provenance + ".");
  page.html += "<h4>Pareto front</h4>\n" +
               table({"configuration", "runs", "accuracy (mean)", "joules (mean)"}, front_rows);
  if (cheapest) {
    auto best = *std::max_element(points.begin(), points.end(),
                                  [](const Point& a, const Point& b) { return a.value < b.value; });
    page.html += fmt::format(
        "<p class=\"finding\">Cheapest run within {:g} of the best accuracy ({:.4f}): <b>{}</b>, "
        "accuracy {:.4f} for {} ({:.1f}% of the best run's {}).</p>\n",
        options.accuracy_tolerance, best.value, html_escape(config_label(runs[*cheapest]->params)),
        points[*cheapest].value, joules_text(points[*cheapest].joules),
        best.joules > 0 ? points[*cheapest].joules / best.joules * 100.0 : 0.0,
        joules_text(best.joules));
  }
}

}  // namespace greentune::report
