#pragma once
// Standard test functions for validating samplers (all minimised).
#include <string>
#include <vector>

#include "greentune/tune/space.hpp"

namespace greentune::tune {

// Branin-Hoo on x1 in [-5, 10], x2 in [0, 15]; global minimum 0.397887 (three minimisers).
double branin(double x1, double x2);
double branin(const Params& params);  // params "x1", "x2"
SearchSpace branin_space();
inline constexpr double branin_minimum = 0.39788735772973816;

// Hartmann 6-D on the unit cube; global minimum -3.32237.
double hartmann6(const double (&x)[6]);
double hartmann6(const Params& params);  // params "x1" .. "x6"
SearchSpace hartmann6_space();
inline constexpr double hartmann6_minimum = -3.3223680114155147;

// "branin" | "hartmann6": value, space and minimum by name; InputError on an unknown name.
// "zdt1" | "zdt2" | "dtlz2" (multi_objective_benchmarks.hpp) are benchmark objectives too, with
// two values each, on the unit cube of kMultiObjectiveBenchmarkVariables (x0 ..) by default.
bool is_benchmark_objective(const std::string& name);
bool is_multi_objective_benchmark(const std::string& name);
inline constexpr int kMultiObjectiveBenchmarkVariables = 6;
double benchmark_value(const std::string& name, const Params& params);  // single-valued ones
std::vector<double> benchmark_values(const std::string& name, const Params& params);  // any
SearchSpace benchmark_space(const std::string& name);
double benchmark_minimum(const std::string& name);

}  // namespace greentune::tune
