#pragma once
// How sure a figure is: mean with a Student-t confidence interval, median and quartiles, the
// robust optimum round beside the paper's, and whether joules per trial differ between arms by
// more than their spread (a sign that the machine's state, not the arm, made the difference).
// Free of storage and charts so each can be checked against hand-computed values.
#include <cmath>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace greentune::report {

// Student's t distribution with `df` > 0 degrees of freedom: P(T <= t), and its inverse for p in
// (0, 1). InputError outside those domains.
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);

struct MeanInterval {
  size_t n = 0;             // finite values used
  double mean = NAN;        // NaN without values
  double sd = NAN;          // sample standard deviation (n - 1); NaN below two values
  double half_width = NAN;  // t(1 - alpha/2, n - 1) x sd / sqrt(n); NaN below two values
  double confidence = 0.95;
  bool has_interval() const { return std::isfinite(half_width); }
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
};

// Mean and its two-sided confidence interval by Student's t (right for small n when the values
// are roughly normal). Non-finite values are left out. One value: a mean but no interval.
MeanInterval mean_interval(const std::vector<double>& values, double confidence = 0.95);

using NumberFormat = std::function<std::string(double)>;
std::string default_number(double value);  // 4 significant digits

// "8.4 ± 0.31 (95 % CI, n = 5)"; "8.4 (n = 1: no interval)"; "n/a (no values)".
std::string mean_interval_text(const MeanInterval& interval,
                               const NumberFormat& format = default_number);

struct Quartiles {
  size_t n = 0;  // finite values used
  double q1 = NAN, median = NAN, q3 = NAN;
  double min = NAN, max = NAN;
  double iqr() const { return q3 - q1; }
};

// Quantiles by linear interpolation between order statistics (Hyndman & Fan type 7, the default
// of R and NumPy): position p x (n - 1) in the sorted values. Non-finite values are left out.
double quantile(std::vector<double> values, double p);
Quartiles quartiles(const std::vector<double>& values);

// "12 (IQR 8–31, n = 3)"; "n/a (no values)".
std::string median_iqr_text(const Quartiles& q, const NumberFormat& format = default_number);

// The two definitions of the round at which a tuning study reached its optimum, both 1-based
// (round r is the r-th trial by number, failed ones included). Rounds without a value carry the
// previous best.
struct OptimumRounds {
  // The paper's: the first round whose best so far is within `tolerance` of the final best. With
  // a tolerance larger than the study's whole improvement this is round 1, whatever happened.
  std::optional<size_t> within_tolerance;
  // Robust to the tolerance: the first round whose best so far reaches `fraction` (0.99) of the
  // final improvement over the first round with a value; that first round when nothing improved.
  std::optional<size_t> robust;
  double tolerance = 0;
  double fraction = 0.99;
};

OptimumRounds optimum_rounds(const std::vector<std::optional<double>>& values, bool maximize,
                             double tolerance, double fraction = 0.99);

// Whether the arms of a comparison (tuning strategies, sweep cells) spent different joules per
// trial by more than their spread. Rule: two arms differ when the middle halves of their
// per-trial joules (first to third quartile) do not overlap. It asks for a difference as large as
// the spread itself, so many trials alone never make a small shift "significant". When it fires
// for arms whose trials do the same work, the energy comparison measures the machine's state
// while each arm ran, not the arm.
struct ArmJoules {
  std::string arm;
  std::vector<double> joules_per_trial;
};

struct ArmSpread {
  std::string arm;
  Quartiles joules;
  MeanInterval mean;
};

struct JoulesPerTrialCheck {
  std::vector<ArmSpread> arms;  // in the order given
  bool judged = false;          // false when fewer than two arms have two trials or more
  bool differs = false;         // some pair's middle halves do not overlap
  std::string lowest, highest;  // the arms with the lowest and highest median (when judged)
  double ratio = NAN;           // highest median / lowest median
  std::string verdict;          // one sentence for the report
};

JoulesPerTrialCheck check_joules_per_trial(const std::vector<ArmJoules>& arms);

}  // namespace greentune::report
