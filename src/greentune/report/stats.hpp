#pragma once
// The statistics the paper's analysis uses, kept free of storage and charts so they can be checked
// against hand-computed values: Kruskal-Wallis H with its eta-squared effect size, the
// accuracy-energy Pareto front, the cheapest run within a tolerance of the best, best-so-far
// curves and the round at which a study reached its optimum.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace greentune::report {

struct KruskalWallis {
  double h = 0;        // tie-corrected H statistic
  int df = 0;          // groups - 1
  double p_value = 1;  // upper tail of chi-square(df) at h
  // eta^2_H = (H - k + 1) / (n - k), as in Tomczak & Tomczak (2014) and the paper. It is negative
  // whenever H < k - 1 (less separation than chance), which no share of variance can be: the
  // figure reported is clamped at 0, the raw one kept to say so.
  double eta_squared = 0;
  double eta_squared_raw = 0;
  bool eta_squared_clamped = false;
  double epsilon_squared = 0;  // H / ((n^2 - 1) / (n + 1)), Tomczak & Tomczak (2014); in [0, 1]
  size_t n = 0;                // observations in all groups
  size_t groups = 0;           // non-empty groups
};

// Groups with no observations are ignored. InputError when fewer than two non-empty groups remain
// or n <= k (eta-squared undefined).
KruskalWallis kruskal_wallis(const std::vector<std::vector<double>>& groups);

// The effect sizes with their method named, for a table cell:
// "η²_H = 0.791 [(H−k+1)/(n−k)]; ε² = 0.839 [H(n+1)/(n²−1)]", and when clamped
// "η²_H = 0 (clamped: raw -0.052, H < k−1) [(H−k+1)/(n−k)]; ε² = 0.031 [H(n+1)/(n²−1)]".
std::string effect_size_text(const KruskalWallis& test);

// Upper tail probability of the chi-square distribution (regularised upper incomplete gamma).
double chi_square_survival(double x, int df);

// One run as the energy analyses see it: a quality figure (higher is better) and its joules.
struct Point {
  double value = 0;
  double joules = 0;
};

// Indices of the points no other point beats in both value (higher) and joules (lower), ordered by
// increasing joules. Ties: of identical points the first is kept.
std::vector<size_t> pareto_front(const std::vector<Point>& points);

// The point with the fewest joules among those whose value is at least best - tolerance;
// std::nullopt for an empty set.
std::optional<size_t> cheapest_within(const std::vector<Point>& points, double tolerance);

// Best value up to and including each round; `maximize` picks the direction. Rounds without a
// value (failed, running) carry the previous best; before any value the entry is nullopt.
std::vector<std::optional<double>> best_so_far(const std::vector<std::optional<double>>& values,
                                               bool maximize);

// The first round (1-based: values[0] is round 1) whose best-so-far is within `tolerance` of the
// final best (the paper's "round after which no substantial gain follows"); std::nullopt when no
// round has a value.
std::optional<size_t> optimum_round(const std::vector<std::optional<double>>& values, bool maximize,
                                    double tolerance);

// One row per configuration for a Pareto table: a configuration run several times (repetitions,
// seeds) is one point at the mean of its runs, never several rows.
struct ConfigurationRun {
  std::string configuration;  // e.g. "conv=2 linear=3 relu=on"
  double value = 0;           // higher is better
  double joules = 0;
};

struct ConfigurationPoint {
  std::string configuration;
  size_t runs = 0;
  double value = 0;                            // mean over the runs
  double joules = 0;                           // mean over the runs
  std::vector<double> values, joules_per_run;  // the runs, for intervals
};

// Runs grouped by configuration (in order of first appearance) and averaged.
std::vector<ConfigurationPoint> by_configuration(const std::vector<ConfigurationRun>& runs);

// The configurations no other configuration beats in both mean value and mean joules, by
// increasing mean joules; each configuration at most once.
std::vector<ConfigurationPoint> pareto_configurations(const std::vector<ConfigurationRun>& runs);

double mean(const std::vector<double>& xs);           // 0 for an empty vector
double sample_stddev(const std::vector<double>& xs);  // 0 for fewer than two values

// The energy effect of one architecture factor (conv layers, linear layers, ReLU on/off).
struct LayerEffect {
  std::string factor;
  double low_level = 0, high_level = 0;    // the smallest and largest level seen
  double low_joules = 0, high_joules = 0;  // mean joules of the runs at those levels
  double percent_change = 0;               // (high - low) / low x 100
  double joules_per_step = 0;              // (high - low) / (high_level - low_level)
  std::vector<double> levels;              // every level seen, ascending
  std::vector<double> mean_joules;         // mean joules per level
  std::vector<double> mean_value;          // mean value per level
  std::optional<KruskalWallis> test;       // across levels; nullopt when not computable
};

struct SweepRun {
  std::vector<double> factors;  // one level per factor, in the order of the factor names
  double joules = 0;
  double value = 0;
};

// One LayerEffect per factor name. A factor with a single level gets no test and zero change.
std::vector<LayerEffect> layer_effects(const std::vector<std::string>& factor_names,
                                       const std::vector<SweepRun>& runs);

}  // namespace greentune::report
