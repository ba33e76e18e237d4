#include "greentune/tune/benchmarks.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/multi_objective_benchmarks.hpp"

namespace greentune::tune {

double branin(double x1, double x2) {
  constexpr double pi = std::numbers::pi;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  const double u = x2 - b * x1 * x1 + c * x1 - 6;
  return u * u + 10 * (1 - t) * std::cos(x1) + 10;
}

double branin(const Params& params) {
  return branin(as_double(params, "x1"), as_double(params, "x2"));
}

namespace {
ParamSpec real_param(const std::string& name, double low, double high) {
  ParamSpec spec;
  spec.name = name;
  spec.low = low;
  spec.high = high;
  return spec;
}
}  // namespace

SearchSpace branin_space() {
  return SearchSpace{{real_param("x1", -5, 10), real_param("x2", 0, 15)}};
}

double hartmann6(const double (&x)[6]) {
  static constexpr double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static constexpr double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                     {0.05, 10, 17, 0.1, 8, 14},
                                     {3, 3.5, 1.7, 10, 17, 8},
                                     {17, 8, 0.05, 10, 0.1, 14}};
  static constexpr double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                     {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                     {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                     {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  double total = 0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0;
    for (int j = 0; j < 6; ++j) inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
    total += alpha[i] * std::exp(-inner);
  }
  return -total;
}

double hartmann6(const Params& params) {
  double x[6];
  for (int j = 0; j < 6; ++j) x[j] = as_double(params, fmt::format("x{}", j + 1));
  return hartmann6(x);
}

SearchSpace hartmann6_space() {
  SearchSpace space;
  for (int j = 1; j <= 6; ++j) space.params.push_back(real_param(fmt::format("x{}", j), 0, 1));
  return space;
}

bool is_multi_objective_benchmark(const std::string& name) {
  return name == "zdt1" || name == "zdt2" || name == "dtlz2";
}

bool is_benchmark_objective(const std::string& name) {
  return name == "branin" || name == "hartmann6" || is_multi_objective_benchmark(name);
}

namespace {
[[noreturn]] void unknown_benchmark(const std::string& name) {
  throw InputError(fmt::format("objective '{}': expected branin or hartmann6", name));
}
}  // namespace

std::vector<double> benchmark_values(const std::string& name, const Params& params) {
  if (is_multi_objective_benchmark(name)) return multi_objective_benchmark(name, params);
  return {benchmark_value(name, params)};
}

double benchmark_value(const std::string& name, const Params& params) {
  if (name == "branin") return branin(params);
  if (name == "hartmann6") return hartmann6(params);
  unknown_benchmark(name);
}

SearchSpace benchmark_space(const std::string& name) {
  if (name == "branin") return branin_space();
  if (name == "hartmann6") return hartmann6_space();
  if (is_multi_objective_benchmark(name)) return unit_cube_space(kMultiObjectiveBenchmarkVariables);
  unknown_benchmark(name);
}

double benchmark_minimum(const std::string& name) {
  if (name == "branin") return branin_minimum;
  if (name == "hartmann6") return hartmann6_minimum;
  unknown_benchmark(name);
}

}  // namespace greentune::tune
