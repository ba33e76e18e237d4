#include "greentune/tune/multi_objective_benchmarks.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {

namespace {

// ZDT's distance function: 1 on the front (x1.. = 0), up to 10.
double zdt_g(const std::vector<double>& x) {
  double sum = 0;
  for (size_t i = 1; i < x.size(); ++i) sum += x[i];
  return 1 + 9 * sum / static_cast<double>(x.size() - 1);
}

}  // namespace

std::vector<double> zdt1(const std::vector<double>& x) {
  const double g = zdt_g(x);
  return {x[0], g * (1 - std::sqrt(x[0] / g))};
}

std::vector<double> zdt2(const std::vector<double>& x) {
  const double g = zdt_g(x);
  return {x[0], g * (1 - (x[0] / g) * (x[0] / g))};
}

std::vector<double> dtlz2(const std::vector<double>& x, int objectives) {
  const auto m = static_cast<size_t>(objectives);
  double g = 0;
  for (size_t i = m - 1; i < x.size(); ++i) g += (x[i] - 0.5) * (x[i] - 0.5);
  std::vector<double> f(m, 1 + g);
  for (size_t k = 0; k < m; ++k) {
    // f_k = (1 + g) prod_{i < m-1-k} cos(x_i pi/2) * (k > 0 ? sin(x_{m-1-k} pi/2) : 1)
    for (size_t i = 0; i + 1 + k < m; ++i) f[k] *= std::cos(x[i] * std::numbers::pi / 2);
    if (k > 0) f[k] *= std::sin(x[m - 1 - k] * std::numbers::pi / 2);
  }
  return f;
}

SearchSpace unit_cube_space(int variables) {
  SearchSpace space;
  for (int i = 0; i < variables; ++i)
    space.params.push_back({fmt::format("x{}", i), ParamType::real, 0, 1, false, 0, {}});
  return space;
}

std::vector<double> multi_objective_benchmark(const std::string& name, const Params& params) {
  // x0, x1, ... as far as they go: other parameters of the space (a GPU power limit) are not
  // the problem's.
  std::vector<double> x;
  for (size_t i = 0; params.count(fmt::format("x{}", i)) > 0; ++i)
    x.push_back(as_double(params, fmt::format("x{}", i)));
  if (x.size() < 2)
    throw InputError(fmt::format(
        "multi-objective benchmark '{}': expected parameters x0, x1, ... (at least two)", name));
  if (name == "zdt1") return zdt1(x);
  if (name == "zdt2") return zdt2(x);
  if (name == "dtlz2") return dtlz2(x, 2);
  throw InputError(
      fmt::format("multi-objective benchmark '{}': expected zdt1, zdt2 or dtlz2", name));
}

std::vector<std::vector<double>> true_front(const std::string& name, int count) {
  std::vector<std::vector<double>> front;
  for (int i = 0; i < count; ++i) {
    const double t = count > 1 ? static_cast<double>(i) / (count - 1) : 0.0;
    if (name == "zdt1")
      front.push_back({t, 1 - std::sqrt(t)});
    else if (name == "zdt2")
      front.push_back({t, 1 - t * t});
    else if (name == "dtlz2")
      front.push_back({std::cos(t * std::numbers::pi / 2), std::sin(t * std::numbers::pi / 2)});
    else
      throw InputError(
          fmt::format("multi-objective benchmark '{}': expected zdt1, zdt2 or dtlz2", name));
  }
  return front;
}

}  // namespace greentune::tune
