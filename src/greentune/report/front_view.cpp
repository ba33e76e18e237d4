#include "greentune/report/front_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "greentune/tune/config.hpp"
#include "greentune/tune/study_objectives.hpp"

namespace greentune::report {
namespace {

std::string number_text(double value) {
  return std::isfinite(value) ? fmt::format("{:.6g}", value) : "n/a";
}

std::string params_text(const tune::Params& params) {
  std::string out;
  for (const auto& [name, value] : params)
    out += (out.empty() ? "" : " ") + name + "=" + tune::to_string(value);
  return out;
}

// Joules on an axis get the chart's prefixes and say how they were obtained.
Axis metric_axis(const std::string& metric, const std::string& energy_kind) {
  if (metric == "joules") return {fmt::format("joules per trial, {}", energy_kind), "J"};
  if (metric == "seconds") return {"seconds per trial", "s"};
  return {metric, ""};
}

}  // namespace

FrontView front_view(const StudyRecord& study, tune::Closeness within,
                     const std::string& energy_kind) {
  const auto objectives = tune::objectives_of(study.info);
  const auto& trials = study.trials;
  const auto front = tune::pareto_front(trials, objectives);
  const auto cheapest = tune::cheapest_within(trials, objectives, within);
  const auto& metrics = objectives.metrics;

  FrontView view;
  view.chart.title =
      fmt::format("{}: {} against {}, Pareto front", study.label(), metrics[0], metrics[1]);
  view.chart.x = metric_axis(metrics[1], energy_kind);
  view.chart.y = metric_axis(metrics[0], energy_kind);
  XYSeries feasible{"trials", study.info.strategy, {}, Mark::points};
  XYSeries infeasible{"outside the constraints", "", {}, Mark::points, SeriesRole::reference};
  for (const auto& trial : trials) {
    const auto v = tune::objective_values(trial, objectives);
    if (!v) continue;
    (tune::is_feasible(trial, objectives) ? feasible : infeasible)
        .points.push_back({(*v)[1], (*v)[0]});
  }
  // Ordered along x, the step from one member to the next is the edge of what the front
  // dominates, whichever way each objective points.
  XYSeries line{"Pareto front", "", {}, Mark::step, SeriesRole::highlight};
  for (size_t i : front.members) {
    const auto v = tune::objective_values(trials[i], objectives);
    line.points.push_back({(*v)[1], (*v)[0]});
  }
  std::sort(line.points.begin(), line.points.end(),
            [](const XY& a, const XY& b) { return a.x < b.x; });
  view.chart.series.push_back(std::move(feasible));
  if (!infeasible.points.empty()) view.chart.series.push_back(std::move(infeasible));
  view.chart.series.push_back(std::move(line));
  if (front.knee) {
    const auto v = tune::objective_values(trials[*front.knee], objectives);
    view.chart.series.push_back(
        {"knee", "", {{(*v)[1], (*v)[0]}}, Mark::ring, SeriesRole::highlight});
  }

  const bool joules_column = std::find(metrics.begin(), metrics.end(), "joules") == metrics.end();
  view.header.push_back("trial");
  for (size_t d = 0; d < metrics.size(); ++d)
    view.header.push_back(
        fmt::format("{} ({})", metrics[d], tune::to_string(objectives.directions[d])));
  if (joules_column) view.header.push_back(fmt::format("joules, {}", energy_kind));
  view.header.push_back("parameters");
  auto describe = [&](size_t i) {
    const auto v = tune::objective_values(trials[i], objectives);
    std::string out;
    for (size_t d = 0; v && d < v->size(); ++d)
      out += fmt::format("{}{} {}", d ? ", " : "", metrics[d], number_text((*v)[d]));
    if (joules_column) out += fmt::format(", {} J", number_text(trials[i].joules));
    return fmt::format("trial {} ({})", trials[i].number, out);
  };
  for (size_t i : front.members) {
    const auto v = tune::objective_values(trials[i], objectives);
    std::vector<std::string> row{std::to_string(trials[i].number)};
    for (double value : *v) row.push_back(number_text(value));
    if (joules_column) row.push_back(number_text(trials[i].joules));
    row.push_back(params_text(trials[i].params));
    view.rows.push_back(std::move(row));
  }

  std::string reference;
  for (double r : front.reference) reference += (reference.empty() ? "" : ", ") + number_text(r);
  view.summary =
      fmt::format("{} of {} complete trials on the front", front.members.size(), front.complete);
  if (objectives.constrained()) {
    std::string bounds;
    for (const auto& c : objectives.constraints)
      bounds += (bounds.empty() ? "" : ", ") + tune::to_string(c);
    view.summary += fmt::format(" ({} feasible: {})", front.feasible, bounds);
  }
  view.summary += fmt::format("; hypervolume {} against the {} reference point ({})",
                              number_text(front.hypervolume),
                              front.reference_given ? "study's" : "inferred", reference);
  if (front.knee) view.summary += ". Knee: " + describe(*front.knee);
  if (!front.members.empty())
    view.summary +=
        fmt::format(". Cheapest within {} of the best {}: {}", tune::to_string(within), metrics[0],
                    cheapest ? describe(*cheapest) : std::string("none (no energy recorded)"));
  if (metrics.size() > 2)
    view.summary += fmt::format(". The chart shows the first two of {} objectives", metrics.size());
  view.summary += ".";
  return view;
}

}  // namespace greentune::report
