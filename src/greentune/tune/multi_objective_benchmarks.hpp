#pragma once
// Standard multi-objective test problems on the unit cube, every objective minimised: ZDT1 and
// ZDT2 (Zitzler, Deb & Thiele 2000; convex and concave fronts) and DTLZ2 (Deb et al. 2002; a
// spherical front), with the dimension a parameter (the literature uses 30 variables for ZDT and
// 12 for DTLZ2 with 3 objectives; Bayesian-optimisation papers commonly use 6).
#include <string>
#include <vector>

#include "greentune/tune/space.hpp"

namespace greentune::tune {

std::vector<double> zdt1(const std::vector<double>& x);                   // x.size() >= 2
std::vector<double> zdt2(const std::vector<double>& x);                   // x.size() >= 2
std::vector<double> dtlz2(const std::vector<double>& x, int objectives);  // x.size() >= objectives

// x0 .. x{variables-1}, each a float in [0, 1].
SearchSpace unit_cube_space(int variables);

// "zdt1", "zdt2", "dtlz2" (two objectives) at the space's points; InputError for other names.
std::vector<double> multi_objective_benchmark(const std::string& name, const Params& params);
// `count` points spread along the problem's true Pareto front (two objectives).
std::vector<std::vector<double>> true_front(const std::string& name, int count);

}  // namespace greentune::tune
