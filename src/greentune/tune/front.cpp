#include "greentune/tune/front.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/hypervolume.hpp"
#include "greentune/tune/metrics.hpp"
#include "greentune/tune/pareto.hpp"

namespace greentune::tune {

std::optional<std::vector<double>> objective_values(const Trial& trial,
                                                    const StudyObjectives& objectives) {
  std::vector<double> values;
  for (const auto& metric : objectives.metrics) {
    auto v = metric_value(trial, metric, objectives.metrics);
    if (!v) return std::nullopt;
    values.push_back(*v);
  }
  if (values.size() != objectives.directions.size()) return std::nullopt;
  return values;
}

bool is_feasible(const Trial& trial, const StudyObjectives& objectives) {
  if (!objective_values(trial, objectives)) return false;
  for (const auto& c : objectives.constraints) {
    const auto v = metric_value(trial, c.quantity, objectives.metrics);
    if (!v || !is_satisfied(c, *v)) return false;
  }
  return true;
}

ParetoFront pareto_front(const std::vector<Trial>& trials, const StudyObjectives& objectives) {
  ParetoFront front;
  const size_t m = objectives.directions.size();
  std::vector<size_t> feasible;
  std::vector<std::vector<double>> points;  // minimisation convention
  for (size_t i = 0; i < trials.size(); ++i) {
    auto values = objective_values(trials[i], objectives);
    if (!values) continue;
    ++front.complete;
    if (!is_feasible(trials[i], objectives)) continue;
    feasible.push_back(i);
    points.push_back(to_minimisation({*values}, objectives.directions).front());
  }
  front.feasible = static_cast<int>(feasible.size());
  if (points.empty()) return front;

  std::vector<double> reference(m);
  if (objectives.reference_point.size() == m) {
    reference = to_minimisation({objectives.reference_point}, objectives.directions).front();
    front.reference_given = true;
  } else {
    for (size_t d = 0; d < m; ++d) {
      double worst = -std::numeric_limits<double>::infinity();
      double best = std::numeric_limits<double>::infinity();
      for (const auto& p : points) {
        worst = std::max(worst, p[d]);
        best = std::min(best, p[d]);
      }
      const double range = worst - best;
      reference[d] = worst + 0.1 * (range > 0 ? range : std::max(std::fabs(worst), 1.0));
    }
  }
  front.hypervolume = hypervolume(points, reference);
  front.reference = reference;
  for (size_t d = 0; d < m; ++d)
    if (objectives.directions[d] == Direction::maximize) front.reference[d] = -reference[d];

  auto on_front = pareto_front_indices(points);
  std::stable_sort(on_front.begin(), on_front.end(),
                   [&](size_t a, size_t b) { return points[a][0] < points[b][0]; });
  std::vector<std::vector<double>> front_points;
  for (size_t k : on_front) {
    front.members.push_back(feasible[k]);
    front_points.push_back(points[k]);
  }
  if (auto knee = knee_point_index(front_points)) front.knee = front.members[*knee];
  return front;
}

Closeness parse_closeness(const std::string& text) {
  Closeness out;
  std::string number = text;
  while (!number.empty() && std::isspace(static_cast<unsigned char>(number.back())))
    number.pop_back();
  if (!number.empty() && number.back() == '%') {
    out.relative = true;
    number.pop_back();
  }
  const char* begin = number.c_str();
  char* end = nullptr;
  const double amount = std::strtod(begin, &end);
  const bool read =
      end != begin && std::string_view(end).find_first_not_of(" \t") == std::string_view::npos;
  if (!read || !std::isfinite(amount) || amount < 0)
    throw InputError(fmt::format(
        "closeness '{}': expected a number >= 0 (in the first objective's units, e.g. 0.01) or "
        "a percentage of the best value (e.g. 1%)",
        text));
  out.amount = out.relative ? amount / 100 : amount;
  return out;
}

std::string to_string(const Closeness& closeness) {
  return closeness.relative ? fmt::format("{:g}%", closeness.amount * 100)
                            : fmt::format("{:g}", closeness.amount);
}

std::optional<size_t> cheapest_within(const std::vector<Trial>& trials,
                                      const StudyObjectives& objectives, Closeness within) {
  if (objectives.directions.empty()) return std::nullopt;
  const bool maximize = objectives.directions.front() == Direction::maximize;
  std::vector<std::pair<size_t, double>> feasible;  // index, first objective
  std::optional<double> best;
  for (size_t i = 0; i < trials.size(); ++i) {
    if (!is_feasible(trials[i], objectives)) continue;
    const double first = objective_values(trials[i], objectives)->front();
    feasible.emplace_back(i, first);
    if (!best || (maximize ? first > *best : first < *best)) best = first;
  }
  if (!best) return std::nullopt;
  // A hair of room, so 0.86 counts as within 0.01 of 0.87 despite binary fractions.
  const double slack = (within.relative ? within.amount * std::fabs(*best) : within.amount) +
                       1e-12 * std::max(1.0, std::fabs(*best));
  std::optional<size_t> cheapest;
  double cheapest_joules = 0, cheapest_first = 0;
  bool any_energy = false;
  for (const auto& [i, first] : feasible) {
    if (std::fabs(first - *best) > slack) continue;
    const double joules = metric_value(trials[i], "joules", objectives.metrics)
                              .value_or(std::numeric_limits<double>::infinity());
    any_energy = any_energy || (std::isfinite(joules) && joules > 0);
    const bool better_first = maximize ? first > cheapest_first : first < cheapest_first;
    if (!cheapest || joules < cheapest_joules || (joules == cheapest_joules && better_first)) {
      cheapest = i;
      cheapest_joules = joules;
      cheapest_first = first;
    }
  }
  // Unmeasured energy reads as 0 J: every candidate would tie, and the pick would mean nothing.
  return any_energy ? cheapest : std::nullopt;
}

}  // namespace greentune::tune
