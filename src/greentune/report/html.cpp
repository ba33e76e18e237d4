#include "greentune/report/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "greentune/common/atomic_file.hpp"
#include "greentune/common/error.hpp"
#include "greentune/report/chart_palette.hpp"
#include "greentune/report/charts.hpp"
#include "greentune/report/export.hpp"
#include "greentune/report/front_view.hpp"
#include "greentune/report/paper_reference.hpp"
#include "greentune/report/stats.hpp"
#include "greentune/report/svg_chart.hpp"
#include "greentune/report/uncertainty.hpp"
#include "greentune/tune/study_objectives.hpp"

namespace greentune::report {
namespace {

constexpr double kDefaultGramsPerKwh = 475.0;  // as energy::CarbonSettings defaults

std::string joules_text(double joules) {
  if (!std::isfinite(joules)) return "n/a";
  if (std::fabs(joules) >= 1e6) return fmt::format("{:.2f} MJ", joules / 1e6);
  if (std::fabs(joules) >= 1e4) return fmt::format("{:.2f} kJ", joules / 1e3);
  return fmt::format("{:.1f} J", joules);
}

std::string value_text(std::optional<double> value) {
  return value && std::isfinite(*value) ? fmt::format("{:.4f}", *value) : "n/a";
}

std::string kind_of(const std::vector<tune::Trial>& trials) {
  std::set<std::string> kinds;
  for (const auto& trial : trials)
    if (auto kind = energy_kind(trial); kind != "none") kinds.insert(kind);
  if (kinds.empty()) return "none";
  if (kinds.size() > 1 || kinds.count("mixed")) return "measured+estimated";
  return *kinds.begin();
}

// Charts collect into the page in order; each gets a unique id prefix for its SVG ids, and all
// share one palette so an arm has one colour on the whole page. The parts of a stacked whole
// (layer types, phases and domains) are no arms: they take their colours from a palette of their
// own, so they do not use up the arms' colours.
class Page {
 public:
  std::string html;
  int charts = 0;
  Palette palette, parts_palette;

  void chart(const std::string& name, const std::string& svg, const std::string& caption) {
    html += fmt::format(
        "<figure class=\"chart\" data-chart=\"{}\">\n{}\n<figcaption>{}</figcaption>"
        "</figure>\n",
        html_escape(name), svg, html_escape(caption));
  }
  std::string next_id() { return fmt::format("c{}_", ++charts); }
  void xy(const std::string& name, const XYChart& spec, const std::string& caption) {
    chart(name, render_svg(spec, palette, next_id()), caption);
  }
  void bars(const std::string& name, const BarChart& spec, const std::string& caption) {
    chart(name, render_svg(spec, spec.stacked ? parts_palette : palette, next_id()), caption);
  }
};

XYChart xy_chart(std::string title, Axis x, Axis y) {
  XYChart chart;
  chart.title = std::move(title);
  chart.x = std::move(x);
  chart.y = std::move(y);
  return chart;
}

BarChart bar_chart(std::string title, Axis y, std::vector<std::string> categories,
                   bool stacked = false) {
  BarChart chart;
  chart.title = std::move(title);
  chart.y = std::move(y);
  chart.categories = std::move(categories);
  chart.stacked = stacked;
  return chart;
}

Axis rounds_axis() {
  Axis axis{"round", ""};
  axis.integer = true;
  return axis;
}

std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table>\n<tr>";
  for (const auto& h : header) out += "<th>" + html_escape(h) + "</th>";
  out += "</tr>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + html_escape(cell) + "</td>";
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

double param_number(const tune::ParamValue& value) {
  if (auto d = std::get_if<double>(&value)) return *d;
  if (auto i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  const auto& text = std::get<std::string>(value);
  if (text == "on" || text == "true" || text == "yes") return 1;
  if (text == "off" || text == "false" || text == "no") return 0;
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return NAN;
  }
}

struct TuningSummary {
  const StudyRecord* study = nullptr;
  int complete = 0;
  std::optional<double> best;
  std::optional<int> optimum_round;  // number of the optimum trial (1-based, as stored)
  double joules_to_optimum = 0;
  double total_joules = 0;
};

// Not tune::summarize_study: keeps stored order and counts non-finite joules and values as given.
TuningSummary summarize(const StudyRecord& study, double default_tolerance) {
  TuningSummary s;
  s.study = &study;
  double tolerance = default_tolerance;
  if (study.config.contains("tolerance") && study.config["tolerance"].is_number())
    tolerance = study.config["tolerance"].get<double>();
  std::vector<std::optional<double>> values;
  for (const auto& trial : study.trials) {
    bool counts = trial.state == tune::TrialState::complete && trial.value();
    values.push_back(counts ? trial.value() : std::nullopt);
    if (counts) ++s.complete;
    s.total_joules += trial.joules;
  }
  auto curve = best_so_far(values, study.maximize());
  if (!curve.empty()) s.best = curve.back();
  if (auto round = optimum_round(values, study.maximize(), tolerance)) {
    // The round is the position in the study; what every output prints is the trial's number.
    s.optimum_round = study.trials[*round - 1].number;
    for (size_t i = 0; i < *round; ++i) s.joules_to_optimum += study.trials[i].joules;
  }
  return s;
}

struct Carbon {
  double grams_per_kwh = kDefaultGramsPerKwh;
  double pue = 1.0;
  bool recorded = false;
};

Carbon carbon_of(const std::vector<StudyRecord>& studies) {
  Carbon carbon;
  for (const auto& study : studies) {
    const auto& config = study.config;
    if (!config.contains("carbon") || !config["carbon"].is_object()) continue;
    const auto& c = config["carbon"];
    if (c.contains("grams_per_kwh") && c["grams_per_kwh"].is_number())
      carbon.grams_per_kwh = c["grams_per_kwh"].get<double>();
    if (c.contains("pue") && c["pue"].is_number()) carbon.pue = c["pue"].get<double>();
    carbon.recorded = true;
    break;
  }
  return carbon;
}

void setup_section(Page& page, const std::vector<StudyRecord>& studies,
                   const ReportOptions& options) {
  std::vector<tune::Trial> all;
  for (const auto& study : studies) all.insert(all.end(), study.trials.begin(), study.trials.end());
  page.html += "<section id=\"setup\">\n<h2>Machine and energy accounting</h2>\n";
  std::vector<std::pair<std::string, std::string>> machine;
  for (const auto& study : studies)
    if (machine = machine_fields(study.config); !machine.empty()) break;
  if (machine.empty()) {
    page.html += "<p>The studies recorded no machine description (CPU, GPU, BLAS, threads).</p>\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (auto& [key, value] : machine) rows.push_back({key, value});
    page.html += "<h3>Machine the runs were measured on</h3>\n" + table({"field", "value"}, rows);
  }
  Carbon carbon = carbon_of(studies);
  double joules = 0;
  for (const auto& trial : all) joules += trial.joules;
  double kwh = joules / 3.6e6;
  page.html += "<h3>Energy</h3>\n";
  page.html += table(
      {"item", "value"},
      {{"energy figures", energy_provenance(all)},
       {"total energy of all trials", joules_text(joules) + fmt::format(" ({:.6f} kWh)", kwh)},
       {"carbon intensity", fmt::format("{:g} gCO2e/kWh{}", carbon.grams_per_kwh,
                                        carbon.recorded ? "" : " (default; not recorded)")},
       {"PUE", fmt::format("{:g}{}", carbon.pue, carbon.recorded ? "" : " (default)")},
       {"emissions (kWh x PUE x intensity)",
        fmt::format("{:.3f} gCO2e", kwh * carbon.pue * carbon.grams_per_kwh)},
       {"store", options.store_label.empty() ? "(not given)" : options.store_label}});
  page.html +=
      "<p class=\"note\">Measured figures come from hardware counters (RAPL, NVML); estimated "
      "ones from a power model where no counter was readable. Each chart below names which.</p>\n"
      "</section>\n";
}

void tuning_section(Page& page, const std::string& group,
                    const std::vector<const StudyRecord*>& studies, const ReportOptions& options) {
  std::vector<tune::Trial> all;
  for (auto* study : studies) all.insert(all.end(), study->trials.begin(), study->trials.end());
  const std::string provenance = energy_provenance(all);
  const std::string kind = kind_of(all);
  const std::string metric = studies.front()->info.objective == "train" ? "accuracy" : "value";
  page.html += "<h3>Tuning strategies</h3>\n";

  std::vector<TuningSummary> summaries;
  std::vector<std::vector<std::string>> rows;
  for (auto* study : studies) {
    summaries.push_back(summarize(*study, options.optimum_tolerance));
    const auto& s = summaries.back();
    const auto* paper = find_paper_optimum_round(study->info.strategy);
    rows.push_back({study->label(), study->info.strategy, std::to_string(study->trials.size()),
                    std::to_string(s.complete), value_text(s.best),
                    s.optimum_round ? std::to_string(*s.optimum_round) : "n/a",
                    joules_text(s.joules_to_optimum), joules_text(s.total_joules),
                    energy_provenance(study->trials),
                    paper ? fmt::format("{:g}", paper->mean_round) : "-"});
  }
  page.html += table({"study", "strategy", "rounds", "complete", "best " + metric, "optimum round",
                      "joules to optimum", "total joules", "energy (kind: domains, source)",
                      "paper optimum round (Table III mean)"},
                     rows);

  XYChart best = xy_chart(fmt::format("{}: best {} so far per round", group, metric), rounds_axis(),
                          {"best " + metric, ""});
  XYChart cumulative = xy_chart(fmt::format("{}: cumulative energy per round ({})", group, kind),
                                rounds_axis(), {fmt::format("cumulative energy, {}", kind), "J"});
  XYChart scatter =
      xy_chart(fmt::format("{}: {} against energy per trial ({})", group, metric, kind),
               {fmt::format("energy per trial, {}", kind), "J"}, {metric, ""});
  std::vector<Point> points;
  for (auto* study : studies) {
    // Colour by strategy: several studies of one strategy (seeds, models) share it.
    const std::string& arm = study->info.strategy;
    XYSeries b{study->label(), arm, {}, Mark::step};
    XYSeries c{study->label(), arm, {}, Mark::line};
    XYSeries p{study->label(), arm, {}, Mark::points};
    std::vector<std::optional<double>> values;
    for (const auto& trial : study->trials)
      values.push_back(trial.state == tune::TrialState::complete ? trial.value() : std::nullopt);
    auto curve = best_so_far(values, study->maximize());
    double sum = 0;
    for (size_t i = 0; i < study->trials.size(); ++i) {
      const auto& trial = study->trials[i];
      sum += trial.joules;
      double round = static_cast<double>(trial.number);
      if (curve[i]) b.points.push_back({round, *curve[i]});
      c.points.push_back({round, sum});
      if (values[i] && std::isfinite(*values[i])) {
        p.points.push_back({trial.joules, *values[i]});
        points.push_back({study->maximize() ? *values[i] : -*values[i], trial.joules});
      }
    }
    best.series.push_back(std::move(b));
    cumulative.series.push_back(std::move(c));
    scatter.series.push_back(std::move(p));
  }
  XYSeries front{"Pareto front", "", {}, Mark::step, SeriesRole::highlight};
  for (size_t index : pareto_front(points))
    front.points.push_back({points[index].joules, studies.front()->maximize()
                                                      ? points[index].value
                                                      : -points[index].value});
  scatter.series.push_back(std::move(front));
  page.xy("best-so-far", best,
          "Best " + metric +
              " reached up to each round (failed and "
              "diverged rounds carry the previous best).");
  page.xy("cumulative-joules", cumulative, "Energy: " + provenance + ".");
  page.xy("value-vs-joules", scatter,
          "Each point is one trial; the line joins the trials no "
          "other trial beats in both " +
              metric + " and energy. Energy: " + provenance + ".");

  // Strategies may repeat across models/datasets: bars show their mean.
  std::map<std::string, std::vector<double>> rounds_by_strategy, joules_by_strategy;
  std::vector<std::string> order;
  for (const auto& s : summaries) {
    const auto& strategy = s.study->info.strategy;
    if (!rounds_by_strategy.count(strategy)) order.push_back(strategy);
    rounds_by_strategy[strategy];
    joules_by_strategy[strategy];
    if (!s.optimum_round) continue;
    rounds_by_strategy[strategy].push_back(static_cast<double>(*s.optimum_round));
    joules_by_strategy[strategy].push_back(s.joules_to_optimum);
  }
  BarChart rounds = bar_chart(group + ": rounds to optimum per strategy", {"round", ""}, order);
  rounds.colour_by_category = true;
  BarGroup ours{"this run", {}}, paper{"paper, Table III mean", {}};
  paper.role = SeriesRole::reference;
  BarChart joules = bar_chart(fmt::format("{}: joules to optimum per strategy ({})", group, kind),
                              {fmt::format("energy to optimum, {}", kind), "J"}, order);
  joules.colour_by_category = true;
  BarGroup ours_joules{"this run", {}};
  for (const auto& strategy : order) {
    ours.values.push_back(
        rounds_by_strategy[strategy].empty() ? NAN : mean(rounds_by_strategy[strategy]));
    const auto* p = find_paper_optimum_round(strategy);
    paper.values.push_back(p ? p->mean_round : NAN);
    ours_joules.values.push_back(
        joules_by_strategy[strategy].empty() ? NAN : mean(joules_by_strategy[strategy]));
  }
  rounds.groups = {ours, paper};
  joules.groups = {ours_joules};
  page.bars("rounds-to-optimum", rounds,
            fmt::format("Optimum round: the first round whose best is within {:g} of the study's "
                        "final best. Paper: {}.",
                        options.optimum_tolerance, kPaperCitation));
  page.bars(
      "joules-to-optimum", joules,
      "Energy of all rounds up to and including the optimum round. Energy: " + provenance + ".");

  // Joules per trial by strategy, and whether they differ by more than their spread.
  BoxChart per_trial;
  per_trial.title = fmt::format("{}: energy per trial by strategy ({})", group, kind);
  per_trial.y = {fmt::format("energy per trial, {}", kind), "J"};
  std::vector<ArmJoules> arms;
  for (const auto& strategy : order) {
    ArmJoules arm{strategy, {}};
    for (auto* study : studies)
      if (study->info.strategy == strategy)
        for (const auto& trial : study->trials)
          if (trial.state == tune::TrialState::complete)
            arm.joules_per_trial.push_back(trial.joules);
    per_trial.groups.push_back({strategy, strategy, arm.joules_per_trial});
    arms.push_back(std::move(arm));
  }
  auto check = check_joules_per_trial(arms);
  page.chart(
      "joules-per-trial", render_svg(per_trial, page.palette, page.next_id()),
      "Each dot is one completed trial; boxes span the middle half, the line is the median. " +
          check.verdict + " Energy: " + provenance + ".");
}

// A study with several objectives: its front, knee and cheapest good trial (front_view.hpp).
void front_section(Page& page, const StudyRecord& study, const ReportOptions& options) {
  const auto view = front_view(study, {options.accuracy_tolerance, false}, kind_of(study.trials));
  page.html += "<h3>Pareto front: " + html_escape(study.label()) + "</h3>\n<p>" +
               html_escape(view.summary) + "</p>\n";
  page.xy("pareto-front", view.chart,
          "Each point is one complete trial; the line joins the trials no other feasible trial "
          "beats in every objective, and the ring marks the knee. Energy: " +
              energy_provenance(study.trials) + ".");
  page.html += table(view.header, view.rows);
}

std::string config_label(const tune::Params& params) {
  std::string label;
  for (const auto& [name, value] : params) {
    if (name == "rep") continue;
    label += (label.empty() ? "" : " ") + name + "=" + tune::to_string(value);
  }
  return label;
}

void sweep_section(Page& page, const StudyRecord& study, const ReportOptions& options) {
  page.html += "<h3>Architecture sweep: " + html_escape(study.label()) + "</h3>\n";
  const std::string provenance = energy_provenance(study.trials);
  const std::string kind = kind_of(study.trials);
  std::vector<const tune::Trial*> runs;
  for (const auto& trial : study.trials)
    if (trial.state == tune::TrialState::complete && trial.value()) runs.push_back(&trial);
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
  auto effects = layer_effects(factors, sweep_runs);
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : effects) {
    const auto* paper = find_paper_layer_effect(e.factor);
    std::string levels;
    for (size_t i = 0; i < e.levels.size(); ++i)
      levels +=
          fmt::format("{}{:g}: {}", i ? ", " : "", e.levels[i], joules_text(e.mean_joules[i]));
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
  page.html += "<p>" + std::to_string(runs.size()) +
               " completed runs. Energy: " + html_escape(provenance) + ".</p>\n";
  page.html +=
      table({"factor", "mean joules per level", "change", "energy change", "joules per added layer",
             "Kruskal-Wallis H", "p", "effect size (from H; method in brackets)",
             "paper change (FM | C10)", "paper eta squared (FM | C10)"},
            rows);
  BarChart per_layer =
      bar_chart(fmt::format("{}: energy change from fewest to most layers of each type ({})",
                            study.label(), kind),
                {"energy change", "%"}, {});
  BarGroup ours{"this sweep", {}}, paper_fm{"paper, FashionMNIST", {}},
      paper_c10{"paper, CIFAR-10", {}};
  for (const auto& e : effects) {
    if (e.levels.size() < 2) continue;
    per_layer.categories.push_back(
        fmt::format("{} {:g} -> {:g}", e.factor, e.low_level, e.high_level));
    ours.values.push_back(e.percent_change);
    const auto* paper = find_paper_layer_effect(e.factor);
    paper_fm.values.push_back(paper ? paper->percent_fm : NAN);
    paper_c10.values.push_back(paper ? paper->percent_c10 : NAN);
  }
  per_layer.groups = {ours, paper_fm, paper_c10};
  page.bars("energy-per-added-layer", per_layer,
            "Mean energy of the runs with the most layers of one type against those with the "
            "fewest, over all levels of the other factors (relu: off -> on). The paper's ranges "
            "differ (conv 1 -> 4, linear 3 -> 7): compare direction and order, not size. "
            "Energy: " +
                provenance + "; paper: " + kPaperCitation + ".");

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
              "took in profiled batches: attributed, not measured per layer. Energy: " +
                  provenance + ".");
  }

  // Accuracy-energy trade-off. The front is over configurations (the mean of their repetitions),
  // so a configuration appears once.
  std::vector<ConfigurationRun> config_runs;
  for (size_t i = 0; i < runs.size(); ++i)
    config_runs.push_back({config_label(runs[i]->params), points[i].value, points[i].joules});
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
                          mean_interval_text(mean_interval(config.values),
                                             [](double v) { return fmt::format("{:.4f}", v); }),
                          mean_interval_text(mean_interval(config.joules_per_run),
                                             [](double v) { return joules_text(v); })});
  }
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

// Energy per epoch, averaged over every trial in the group that reported it: the difference of
// the cumulative joules of consecutive intermediate reports.
void epoch_section(Page& page, const std::string& group,
                   const std::vector<const StudyRecord*>& studies) {
  std::map<int, std::vector<double>> by_epoch;
  std::vector<tune::Trial> reported;
  for (auto* study : studies)
    for (const auto& trial : study->trials) {
      double before = 0;
      bool any = false;
      for (const auto& report : trial.intermediate) {
        if (!std::isfinite(report.joules)) continue;
        by_epoch[report.step].push_back(report.joules - before);
        before = report.joules;
        any = true;
      }
      if (any) reported.push_back(trial);
    }
  if (reported.empty()) return;
  BarChart chart = bar_chart(group + ": energy per epoch", {"mean energy per trial", "J"}, {});
  BarGroup joules{"all domains", {}};
  for (const auto& [epoch, values] : by_epoch) {
    chart.categories.push_back(fmt::format("epoch {}", epoch));
    joules.values.push_back(mean(values));
  }
  chart.groups.push_back(std::move(joules));
  page.bars("epoch-energy", chart,
            fmt::format("Mean over {} trials (training and evaluation of each epoch). Energy: {}.",
                        reported.size(), energy_provenance(reported)));
}

void paper_section(Page& page, const std::vector<StudyRecord>& studies,
                   const ReportOptions& options) {
  page.html +=
      "<section id=\"paper\">\n<h2>Side by side with the paper</h2>\n<p>Published "
      "figures: " +
      html_escape(kPaperCitation) + ".</p>\n";
  std::map<std::string, std::vector<double>> rounds;
  for (const auto& study : studies) {
    if (study.is_sweep()) continue;
    auto s = summarize(study, options.optimum_tolerance);
    if (s.optimum_round)
      rounds[study.info.strategy].push_back(static_cast<double>(*s.optimum_round));
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& paper : paper_optimum_rounds()) {
    auto it = rounds.find(paper.strategy);
    rows.push_back({paper.strategy, fmt::format("{:g}", paper.mean_round),
                    it == rounds.end() ? "not run" : fmt::format("{:.1f}", mean(it->second)),
                    it == rounds.end() ? "0" : std::to_string(it->second.size())});
  }
  page.html += "<h3>Optimum round per strategy</h3>\n" +
               table({"strategy", "paper (mean)", "this store (mean)", "studies"}, rows);

  rows.clear();
  std::map<std::string, std::vector<LayerEffect>> ours;
  for (const auto& study : studies) {
    if (!study.is_sweep()) continue;
    std::vector<std::string> factors;
    std::vector<SweepRun> runs;
    for (const auto& trial : study.trials) {
      if (trial.state != tune::TrialState::complete || !trial.value()) continue;
      if (factors.empty())
        for (const auto& [name, value] : trial.params)
          if (name != "rep") factors.push_back(name);
      SweepRun run{{}, trial.joules, *trial.value()};
      for (const auto& f : factors) {
        auto it = trial.params.find(f);
        run.factors.push_back(it == trial.params.end() ? NAN : param_number(it->second));
      }
      runs.push_back(run);
    }
    if (runs.empty()) continue;
    for (auto& e : layer_effects(factors, runs)) ours[e.factor].push_back(e);
  }
  for (const auto& paper : paper_layer_effects()) {
    std::string change = "not run", eta = "not run";
    if (auto it = ours.find(paper.factor); it != ours.end()) {
      change.clear();
      eta.clear();
      for (const auto& e : it->second) {
        change += fmt::format("{}{:g} -> {:g}: {:+.1f}%", change.empty() ? "" : "; ", e.low_level,
                              e.high_level, e.percent_change);
        eta += (eta.empty() ? "" : "; ") +
               (e.test ? fmt::format("{:.3f}{}", e.test->eta_squared,
                                     e.test->eta_squared_clamped ? " (clamped at 0)" : "")
                       : std::string("n/a"));
      }
    }
    rows.push_back({paper.factor, paper.change,
                    fmt::format("{:+.1f}% | {:+.1f}%", paper.percent_fm, paper.percent_c10), change,
                    fmt::format("{:.3f} | {:.3f}", paper.eta_squared_fm, paper.eta_squared_c10),
                    eta});
  }
  page.html += "<h3>Energy increase per layer type</h3>\n" +
               table({"factor", "paper change", "paper energy increase (FM | C10)", "this store",
                      "paper eta squared (FM | C10)", "this store eta squared"},
                     rows);
  rows.clear();
  for (const auto& row : paper_conv_comparison())
    rows.push_back(
        {row.dataset, fmt::format("{:g} J vs {:g} J", row.joules_conv4, row.joules_conv1),
         fmt::format("{:.3f} vs {:.3f}", row.mean_accuracy_conv4, row.mean_accuracy_conv1),
         fmt::format("{:.3f} vs {:.3f}", row.max_accuracy_conv4, row.max_accuracy_conv1)});
  page.html += "<h3>Paper Table V: 4 conv layers vs 1 (GPU joules per run)</h3>\n" +
               table({"dataset", "energy", "mean accuracy", "max accuracy"}, rows) + "</section>\n";
}

void studies_section(Page& page, const std::vector<StudyRecord>& studies) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& study : studies) {
    std::map<std::string, int> states;
    for (const auto& trial : study.trials) ++states[tune::to_string(trial.state)];
    std::string state_text;
    for (const auto& [state, count] : states)
      state_text += fmt::format("{}{} {}", state_text.empty() ? "" : ", ", count, state);
    rows.push_back({std::to_string(study.info.id), study.info.name,
                    study.info.group.empty() ? "-" : study.info.group, study.info.strategy,
                    study.info.objective, study.maximize() ? "maximize" : "minimize",
                    state_text.empty() ? "no trials" : state_text});
  }
  page.html +=
      "<section id=\"studies\">\n<h2>Studies in the store</h2>\n" +
      table({"id", "study", "experiment", "strategy", "objective", "direction", "trials"}, rows) +
      "<p>Every trial is in <a href=\"trials.csv\">trials.csv</a> and <a "
      "href=\"trials.json\">trials.json</a> beside this file.</p>\n</section>\n";
}

constexpr const char* kStyle = R"(
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { border-bottom: 2px solid #2a7; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #eef6f0; }
figure.chart { margin: 1.5em 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; }
.note { color: #555; font-size: 0.9em; }
.finding { background: #eef6f0; padding: 0.5em; }
)";

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_report_html(const std::vector<StudyRecord>& studies,
                               const ReportOptions& options, int* chart_count) {
  Page page;
  size_t trials = 0;
  for (const auto& study : studies) trials += study.trials.size();
  page.html =
      std::string("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n") +
      "<title>greentune report</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" +
      "<h1>greentune report</h1>\n";
  page.html += fmt::format(
      "<p>{} studies, {} trials. Written by greentune {} from the store "
      "alone; nothing was re-run.</p>\n",
      studies.size(), trials, GREENTUNE_VERSION);
  setup_section(page, studies, options);

  std::vector<std::string> groups;
  for (const auto& study : studies)
    if (std::find(groups.begin(), groups.end(), study.info.group) == groups.end())
      groups.push_back(study.info.group);
  for (const auto& group : groups) {
    std::vector<const StudyRecord*> tuning, sweeps, members;
    for (const auto& study : studies) {
      if (study.info.group != group) continue;
      members.push_back(&study);
      (study.is_sweep() ? sweeps : tuning).push_back(&study);
    }
    const std::string title = group.empty() ? std::string("Studies outside any experiment") : group;
    page.html +=
        "<section class=\"experiment\">\n<h2>Experiment: " + html_escape(title) + "</h2>\n";
    if (!tuning.empty()) tuning_section(page, title, tuning, options);
    for (auto* study : tuning)
      if (tune::objectives_of(study->info).multi_objective()) front_section(page, *study, options);
    for (auto* sweep : sweeps) sweep_section(page, *sweep, options);
    epoch_section(page, title, members);
    page.html += "</section>\n";
  }
  paper_section(page, studies, options);
  studies_section(page, studies);
  page.html += "</body>\n</html>\n";
  if (chart_count) *chart_count = page.charts;
  return page.html;
}

ReportFiles write_report(tune::Storage& storage, const std::filesystem::path& out_dir,
                         const ReportOptions& options) {
  auto studies = load_studies(storage);
  ReportFiles files;
  files.html = out_dir / "report.html";
  files.csv = out_dir / "trials.csv";
  files.json = out_dir / "trials.json";
  files.studies = static_cast<int>(studies.size());
  for (const auto& study : studies) files.trials += static_cast<int>(study.trials.size());
  // Everything is rendered before anything is written, so a failing chart leaves no new files.
  std::string html = render_report_html(studies, options, &files.charts);
  std::string csv = trials_csv(studies);
  std::string json = trials_json(studies);
  // The report's folder is its output, made when missing (unlike a --json file's folder).
  write_file_atomically(files.csv, csv, MissingFolder::create);
  write_file_atomically(files.json, json, MissingFolder::create);
  write_file_atomically(files.html, html, MissingFolder::create);
  return files;
}

}  // namespace greentune::report
