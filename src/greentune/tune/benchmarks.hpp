#pragma once
// Standard test functions for validating samplers (both minimised).
#include <string>

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
bool is_benchmark_objective(const std::string& name);
double benchmark_value(const std::string& name, const Params& params);
SearchSpace benchmark_space(const std::string& name);
double benchmark_minimum(const std::string& name);

}  // namespace greentune::tune
