#include "greentune/tune/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include <fmt/format.h>

namespace greentune::tune {

namespace {
bool better(double a, double b, Direction direction) {
  return direction == Direction::maximize ? a > b : a < b;
}
}  // namespace

std::vector<std::optional<double>> best_so_far(const std::vector<std::optional<double>>& values,
                                               Direction direction) {
  std::vector<std::optional<double>> out;
  out.reserve(values.size());
  std::optional<double> best;
  for (const auto& value : values) {
    if (value && std::isfinite(*value) && (!best || better(*value, *best, direction))) best = value;
    out.push_back(best);
  }
  return out;
}

std::vector<BestPoint> best_so_far(const std::vector<Trial>& trials, Direction direction) {
  std::vector<const Trial*> ordered;
  for (const auto& t : trials) ordered.push_back(&t);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Trial* a, const Trial* b) { return a->number < b->number; });
  std::vector<std::optional<double>> values;
  values.reserve(ordered.size());
  for (const Trial* t : ordered)
    values.push_back(t->state == TrialState::complete ? t->value() : std::nullopt);
  const auto bests = best_so_far(values, direction);
  std::vector<BestPoint> curve;
  double joules = 0, seconds = 0;
  for (size_t i = 0; i < ordered.size(); ++i) {
    const Trial* t = ordered[i];
    BestPoint point;
    point.round = t->number;
    if (values[i] && std::isfinite(*values[i])) point.value = values[i];
    if (std::isfinite(t->joules)) joules += t->joules;
    if (std::isfinite(t->seconds)) seconds += t->seconds;
    point.best = bests[i];
    point.joules = joules;
    point.seconds = seconds;
    curve.push_back(point);
  }
  return curve;
}

StudySummary summarize_study(const std::vector<Trial>& trials, Direction direction,
                             double tolerance) {
  StudySummary summary;
  const auto curve = best_so_far(trials, direction);
  summary.trials = static_cast<int>(curve.size());
  for (const auto& p : curve) summary.complete += p.value ? 1 : 0;
  if (curve.empty()) return summary;
  summary.total_joules = curve.back().joules;
  summary.total_seconds = curve.back().seconds;
  summary.best = curve.back().best;
  if (!summary.best) return summary;
  for (const auto& p : curve) {
    if (p.best && std::abs(*p.best - *summary.best) <= tolerance) {
      summary.optimum_round = p.round;
      summary.joules_to_optimum = p.joules;
      summary.seconds_to_optimum = p.seconds;
      break;
    }
  }
  return summary;
}

Spread spread(const std::vector<double>& values) {
  Spread s;
  s.n = static_cast<int>(values.size());
  if (values.empty()) return s;
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  s.min = sorted.front();
  s.max = sorted.back();
  const size_t mid = sorted.size() / 2;
  s.median = sorted.size() % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / s.n;
  if (s.n > 1) {
    double ss = 0;
    for (double v : sorted) ss += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(ss / (s.n - 1));  // sample standard deviation
  }
  return s;
}

std::vector<StrategyRow> compare_strategies(const std::vector<StudySummary>& studies) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const StudySummary*>> groups;
  for (const auto& s : studies) {
    if (!groups.count(s.strategy)) order.push_back(s.strategy);
    groups[s.strategy].push_back(&s);
  }
  std::vector<StrategyRow> rows;
  for (const auto& strategy : order) {
    StrategyRow row;
    row.strategy = strategy;
    std::vector<double> rounds, joules, best, total, trials;
    for (const auto* s : groups[strategy]) {
      ++row.studies;
      if (s->optimum_round) {
        rounds.push_back(*s->optimum_round);
        joules.push_back(s->joules_to_optimum);
      }
      if (s->best) best.push_back(*s->best);
      total.push_back(s->total_joules);
      trials.push_back(s->trials);
    }
    row.rounds_to_optimum = spread(rounds);
    row.joules_to_optimum = spread(joules);
    row.best = spread(best);
    row.total_joules = spread(total);
    row.trials = spread(trials);
    rows.push_back(row);
  }
  return rows;
}

namespace {
std::string cell(const Spread& s, const char* format) {
  if (s.n == 0) return "-";
  const std::string mean = fmt::format(fmt::runtime(format), s.mean);
  if (s.n == 1) return mean;
  return mean + " ± " + fmt::format(fmt::runtime(format), s.sd);
}
}  // namespace

std::string format_comparison(const std::vector<StrategyRow>& rows) {
  std::string out =
      fmt::format("{:<10} {:>7} {:>16} {:>22} {:>18} {:>22} {:>14}\n", "strategy", "studies",
                  "rounds to opt.", "joules to opt.", "best value", "total joules", "trials");
  for (const auto& r : rows) {
    out += fmt::format("{:<10} {:>7} {:>16} {:>22} {:>18} {:>22} {:>14}\n", r.strategy, r.studies,
                       cell(r.rounds_to_optimum, "{:.1f}"), cell(r.joules_to_optimum, "{:.1f}"),
                       cell(r.best, "{:.4f}"), cell(r.total_joules, "{:.1f}"),
                       cell(r.trials, "{:.0f}"));
  }
  return out;
}

}  // namespace greentune::tune
