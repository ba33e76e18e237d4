#include "greentune/report/uncertainty.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "greentune/common/error.hpp"
#include "greentune/report/stats.hpp"
#include "greentune/report/svg_axis.hpp"

namespace greentune::report {
namespace {

// Continued fraction of the regularised incomplete beta function (modified Lentz), converging
// quickly for x < (a + 1) / (a + b + 2).
double beta_fraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 500; ++m) {
    double m2 = 2.0 * m;
    double numerator = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + numerator * d;
    c = 1.0 + numerator / c;
    if (std::fabs(d) < tiny) d = tiny;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    h *= d * c;
    numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + numerator * d;
    c = 1.0 + numerator / c;
    if (std::fabs(d) < tiny) d = tiny;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < 1e-15) break;
  }
  return h;
}

// I_x(a, b), the regularised incomplete beta function.
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
                          b * std::log1p(-x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_fraction(a, b, x) / a;
  return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

std::vector<double> finite(const std::vector<double>& values) {
  std::vector<double> out;
  for (double v : values)
    if (std::isfinite(v)) out.push_back(v);
  return out;
}

}  // namespace

double student_t_cdf(double t, double df) {
  if (!(df > 0)) throw InputError(fmt::format("Student's t needs df > 0, got {}", df));
  if (std::isnan(t)) return NAN;
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  // P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2).
  double tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
  return t > 0 ? 1.0 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(df > 0)) throw InputError(fmt::format("Student's t needs df > 0, got {}", df));
  if (!(p > 0 && p < 1))
    throw InputError(fmt::format("a quantile needs a probability in (0, 1), got {}", p));
  if (p == 0.5) return 0;
  if (p < 0.5) return -student_t_quantile(1.0 - p, df);
  // The CDF is monotone: bracket the quantile, then halve the bracket to machine precision.
  double low = 0, high = 1;
  while (student_t_cdf(high, df) < p) {
    low = high;
    high *= 2;
    if (high > 1e300) return high;
  }
  for (int i = 0; i < 200 && high - low > 1e-15 * high; ++i) {
    double middle = 0.5 * (low + high);
    (student_t_cdf(middle, df) < p ? low : high) = middle;
  }
  return 0.5 * (low + high);
}

MeanInterval mean_interval(const std::vector<double>& values, double confidence) {
  if (!(confidence > 0 && confidence < 1))
    throw InputError(fmt::format("a confidence level must be in (0, 1), got {}", confidence));
  auto xs = finite(values);
  MeanInterval out;
  out.confidence = confidence;
  out.n = xs.size();
  if (xs.empty()) return out;
  out.mean = mean(xs);
  if (xs.size() < 2) return out;
  out.sd = sample_stddev(xs);
  double n = static_cast<double>(xs.size());
  out.half_width = student_t_quantile(0.5 + confidence / 2.0, n - 1.0) * out.sd / std::sqrt(n);
  return out;
}

std::string default_number(double value) {
  return fmt::format("{:.4g}", value);
}

std::string mean_interval_text(const MeanInterval& interval, const NumberFormat& format) {
  if (interval.n == 0) return "n/a (no values)";
  if (!interval.has_interval())
    return fmt::format("{} (n = {}: no interval)", format(interval.mean), interval.n);
  return fmt::format("{} ± {} ({:g} % CI, n = {})", format(interval.mean),
                     format(interval.half_width), interval.confidence * 100, interval.n);
}

double quantile(std::vector<double> values, double p) {
  values = finite(values);
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  double position = std::clamp(p, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  size_t below = static_cast<size_t>(std::floor(position));
  size_t above = std::min(below + 1, values.size() - 1);
  double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

Quartiles quartiles(const std::vector<double>& values) {
  auto xs = finite(values);
  Quartiles q;
  q.n = xs.size();
  if (xs.empty()) return q;
  q.q1 = quantile(xs, 0.25);
  q.median = quantile(xs, 0.5);
  q.q3 = quantile(xs, 0.75);
  auto [min, max] = std::minmax_element(xs.begin(), xs.end());
  q.min = *min;
  q.max = *max;
  return q;
}

std::string median_iqr_text(const Quartiles& q, const NumberFormat& format) {
  if (q.n == 0) return "n/a (no values)";
  return fmt::format("{} (IQR {}–{}, n = {})", format(q.median), format(q.q1), format(q.q3), q.n);
}

OptimumRounds optimum_rounds(const std::vector<std::optional<double>>& values, bool maximize,
                             double tolerance, double fraction) {
  OptimumRounds out;
  out.tolerance = tolerance;
  out.fraction = fraction;
  if (auto paper = optimum_round(values, maximize, tolerance)) out.within_tolerance = *paper;
  auto curve = best_so_far(values, maximize);
  auto first =
      std::find_if(curve.begin(), curve.end(), [](const auto& v) { return v.has_value(); });
  if (first == curve.end()) return out;
  const double start = **first, final_best = *curve.back();
  const double improvement = maximize ? final_best - start : start - final_best;
  for (auto it = first; it != curve.end(); ++it) {
    double gained = maximize ? **it - start : start - **it;
    if (improvement <= 0 || gained >= fraction * improvement) {
      out.robust = static_cast<size_t>(it - curve.begin()) + 1;
      break;
    }
  }
  return out;
}

JoulesPerTrialCheck check_joules_per_trial(const std::vector<ArmJoules>& arms) {
  JoulesPerTrialCheck check;
  std::vector<const ArmSpread*> judged;
  for (const auto& arm : arms)
    check.arms.push_back(
        {arm.arm, quartiles(arm.joules_per_trial), mean_interval(arm.joules_per_trial)});
  for (const auto& spread : check.arms)
    if (spread.joules.n >= 2) judged.push_back(&spread);
  if (judged.size() < 2) {
    check.verdict =
        "Too few trials per arm (two or more in at least two arms) to tell whether joules per "
        "trial differ between arms.";
    return check;
  }
  check.judged = true;
  auto [lowest, highest] = std::minmax_element(
      judged.begin(), judged.end(),
      [](const ArmSpread* a, const ArmSpread* b) { return a->joules.median < b->joules.median; });
  check.lowest = (*lowest)->arm;
  check.highest = (*highest)->arm;
  check.ratio = (*highest)->joules.median / (*lowest)->joules.median;
  std::string pairs;
  for (size_t i = 0; i < judged.size(); ++i)
    for (size_t j = i + 1; j < judged.size(); ++j) {
      const auto& a = judged[i]->joules;
      const auto& b = judged[j]->joules;
      if (a.q3 < b.q1 || b.q3 < a.q1) {
        check.differs = true;
        const auto& [lo, hi] =
            a.median < b.median ? std::pair(judged[i], judged[j]) : std::pair(judged[j], judged[i]);
        pairs +=
            fmt::format("{}{} {} (IQR {}–{}) against {} {} (IQR {}–{})", pairs.empty() ? "" : "; ",
                        lo->arm, si_text(lo->joules.median, "J"), si_text(lo->joules.q1, "J"),
                        si_text(lo->joules.q3, "J"), hi->arm, si_text(hi->joules.median, "J"),
                        si_text(hi->joules.q1, "J"), si_text(hi->joules.q3, "J"));
      }
    }
  if (check.differs)
    check.verdict = fmt::format(
        "Joules per trial differ between arms by more than their spread (median per trial: {}; "
        "the middle halves do not overlap). Where the arms' trials do the same work, the energy "
        "comparison is then about the machine, not the strategy: compare the rounds instead, or "
        "rerun the arms interleaved on a quiet machine.",
        pairs);
  else
    check.verdict = fmt::format(
        "Joules per trial agree between arms within their spread (medians from {} to {}, the "
        "middle halves overlap).",
        si_text((*lowest)->joules.median, "J"), si_text((*highest)->joules.median, "J"));
  return check;
}

}  // namespace greentune::report
