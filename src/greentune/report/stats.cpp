#include "greentune/report/stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "greentune/common/error.hpp"
#include "greentune/tune/analysis.hpp"

namespace greentune::report {
namespace {

// Regularised lower incomplete gamma P(a, x) by its series, for x < a + 1.
double gamma_p_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < 1000; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * 1e-15) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Regularised upper incomplete gamma Q(a, x) by Lentz's continued fraction, for x >= a + 1.
double gamma_q_fraction(double a, double x) {
  const double tiny = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / tiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < 1000; ++i) {
    double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < 1e-15) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

}  // namespace

double chi_square_survival(double x, int df) {
  if (df <= 0)
    throw InputError("chi-square degrees of freedom must be positive, got " + std::to_string(df));
  if (x <= 0) return 1.0;
  double a = df / 2.0, half = x / 2.0;
  if (half < a + 1.0) return 1.0 - gamma_p_series(a, half);
  return gamma_q_fraction(a, half);
}

KruskalWallis kruskal_wallis(const std::vector<std::vector<double>>& groups) {
  struct Observation {
    double value;
    size_t group;
  };
  std::vector<Observation> all;
  std::vector<size_t> sizes;
  for (const auto& group : groups) {
    if (group.empty()) continue;
    for (double v : group) all.push_back({v, sizes.size()});
    sizes.push_back(group.size());
  }
  const size_t k = sizes.size();
  const size_t n = all.size();
  if (k < 2)
    throw InputError("Kruskal-Wallis needs at least two non-empty groups, got " +
                     std::to_string(k));
  if (n <= k)
    throw InputError("Kruskal-Wallis eta-squared needs more observations (" + std::to_string(n) +
                     ") than groups (" + std::to_string(k) + ")");

  std::sort(all.begin(), all.end(),
            [](const Observation& a, const Observation& b) { return a.value < b.value; });
  // Tied values share the mean of the ranks they span; the tie sizes feed the correction.
  std::vector<double> rank_sums(k, 0.0);
  double tie_sum = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && all[j + 1].value == all[i].value) ++j;
    double rank = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2.0;
    for (size_t m = i; m <= j; ++m) rank_sums[all[m].group] += rank;
    double t = static_cast<double>(j - i + 1);
    tie_sum += t * t * t - t;
    i = j + 1;
  }
  const double nd = static_cast<double>(n);
  double sum = 0;
  for (size_t g = 0; g < k; ++g) sum += rank_sums[g] * rank_sums[g] / static_cast<double>(sizes[g]);
  double h = 12.0 / (nd * (nd + 1.0)) * sum - 3.0 * (nd + 1.0);
  double correction = 1.0 - tie_sum / (nd * nd * nd - nd);
  // Every value equal: no ranking information at all, H is 0 by convention.
  h = correction > 0 ? h / correction : 0.0;

  KruskalWallis result;
  result.h = h;
  result.df = static_cast<int>(k) - 1;
  result.n = n;
  result.groups = k;
  result.p_value = chi_square_survival(h, result.df);
  result.eta_squared_raw = (h - static_cast<double>(k) + 1.0) / (nd - static_cast<double>(k));
  result.eta_squared_clamped = result.eta_squared_raw < 0;
  result.eta_squared = std::max(0.0, result.eta_squared_raw);
  result.epsilon_squared = h / ((nd * nd - 1.0) / (nd + 1.0));
  return result;
}

std::string effect_size_text(const KruskalWallis& test) {
  std::string eta =
      test.eta_squared_clamped
          ? fmt::format("η²_H = 0 (clamped: raw {:.3f}, H < k−1)", test.eta_squared_raw)
          : fmt::format("η²_H = {:.3f}", test.eta_squared);
  return fmt::format("{} [(H−k+1)/(n−k)]; ε² = {:.3f} [H(n+1)/(n²−1)]", eta, test.epsilon_squared);
}

std::vector<ConfigurationPoint> by_configuration(const std::vector<ConfigurationRun>& runs) {
  std::vector<ConfigurationPoint> points;
  std::map<std::string, size_t> index;
  for (const auto& run : runs) {
    auto [it, added] = index.emplace(run.configuration, points.size());
    if (added) points.push_back({run.configuration, 0, 0, 0, {}, {}});
    auto& point = points[it->second];
    point.values.push_back(run.value);
    point.joules_per_run.push_back(run.joules);
  }
  for (auto& point : points) {
    point.runs = point.values.size();
    point.value = mean(point.values);
    point.joules = mean(point.joules_per_run);
  }
  return points;
}

std::vector<ConfigurationPoint> pareto_configurations(const std::vector<ConfigurationRun>& runs) {
  auto points = by_configuration(runs);
  std::vector<Point> means;
  for (const auto& point : points) means.push_back({point.value, point.joules});
  std::vector<ConfigurationPoint> front;
  for (size_t index : pareto_front(means)) front.push_back(points[index]);
  return front;
}

std::vector<size_t> pareto_front(const std::vector<Point>& points) {
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // Cheapest first, and among equal joules the best value first: a point then belongs to the
  // front exactly when its value beats every value seen before it.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (points[a].joules != points[b].joules) return points[a].joules < points[b].joules;
    return points[a].value > points[b].value;
  });
  std::vector<size_t> front;
  for (size_t index : order) {
    if (!std::isfinite(points[index].value) || !std::isfinite(points[index].joules)) continue;
    if (front.empty() || points[index].value > points[front.back()].value) front.push_back(index);
  }
  return front;
}

std::optional<size_t> cheapest_within(const std::vector<Point>& points, double tolerance) {
  std::optional<size_t> best;
  for (size_t i = 0; i < points.size(); ++i)
    if (std::isfinite(points[i].value) && (!best || points[i].value > points[*best].value))
      best = i;
  if (!best) return std::nullopt;
  const double floor = points[*best].value - tolerance;
  std::optional<size_t> cheapest;
  for (size_t i = 0; i < points.size(); ++i) {
    if (!std::isfinite(points[i].value) || points[i].value < floor) continue;
    if (!cheapest || points[i].joules < points[*cheapest].joules) cheapest = i;
  }
  return cheapest;
}

std::vector<std::optional<double>> best_so_far(const std::vector<std::optional<double>>& values,
                                               bool maximize) {
  return tune::best_so_far(values,
                           maximize ? tune::Direction::maximize : tune::Direction::minimize);
}

// Not tune::summarize_study's: by position (values need no trial), one-sided gap, and a negative
// tolerance still gives the last round.
std::optional<size_t> optimum_round(const std::vector<std::optional<double>>& values, bool maximize,
                                    double tolerance) {
  auto curve = best_so_far(values, maximize);
  if (curve.empty() || !curve.back()) return std::nullopt;
  const double final_best = *curve.back();
  for (size_t i = 0; i < curve.size(); ++i) {
    if (!curve[i]) continue;
    double gap = maximize ? final_best - *curve[i] : *curve[i] - final_best;
    if (gap <= tolerance) return i + 1;
  }
  return curve.size();
}

double mean(const std::vector<double>& xs) {
  if (xs.empty()) return 0;
  return std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
}

double sample_stddev(const std::vector<double>& xs) {
  if (xs.size() < 2) return 0;
  double m = mean(xs), sum = 0;
  for (double x : xs) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(xs.size() - 1));
}

std::vector<LayerEffect> layer_effects(const std::vector<std::string>& factor_names,
                                       const std::vector<SweepRun>& runs) {
  std::vector<LayerEffect> effects;
  for (size_t f = 0; f < factor_names.size(); ++f) {
    std::map<double, std::vector<double>> joules_by_level, value_by_level;
    for (const auto& run : runs) {
      if (f >= run.factors.size())
        throw InputError("sweep run has " + std::to_string(run.factors.size()) +
                         " factor levels, expected " + std::to_string(factor_names.size()));
      joules_by_level[run.factors[f]].push_back(run.joules);
      value_by_level[run.factors[f]].push_back(run.value);
    }
    LayerEffect effect;
    effect.factor = factor_names[f];
    std::vector<std::vector<double>> groups;
    for (const auto& [level, joules] : joules_by_level) {
      effect.levels.push_back(level);
      effect.mean_joules.push_back(mean(joules));
      effect.mean_value.push_back(mean(value_by_level[level]));
      groups.push_back(joules);
    }
    if (!effect.levels.empty()) {
      effect.low_level = effect.levels.front();
      effect.high_level = effect.levels.back();
      effect.low_joules = effect.mean_joules.front();
      effect.high_joules = effect.mean_joules.back();
    }
    if (effect.levels.size() >= 2) {
      double delta = effect.high_joules - effect.low_joules;
      effect.percent_change = effect.low_joules != 0 ? delta / effect.low_joules * 100.0 : 0.0;
      effect.joules_per_step = delta / (effect.high_level - effect.low_level);
      if (runs.size() > groups.size()) effect.test = kruskal_wallis(groups);
    }
    effects.push_back(std::move(effect));
  }
  return effects;
}

}  // namespace greentune::report
