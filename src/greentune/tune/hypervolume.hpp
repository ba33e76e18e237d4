#pragma once
// Hypervolume of a set of objective vectors, in the minimisation convention (turn maximised
// objectives round with to_minimisation from pareto.hpp): the volume of the region that the
// points dominate and that dominates the reference point.
//
// Exact for any number of objectives by slicing along the last objective (the HSO scheme of
// While et al. 2006): two objectives are one sort and a sweep, three are O(n^2 log n), four
// O(n^3 log n), which is instant for the fronts of a tuning study (tens to hundreds of points).
// The same slicing cuts the region that no point dominates into disjoint boxes, from which the
// expected hypervolume improvement is computed in closed form (multi_objective_acquisition.hpp).
#include <vector>

namespace greentune::tune {

// Points need not be non-dominated. Points with a coordinate at or beyond the reference (or not
// finite) add nothing; duplicates count once; no points: 0. InputError when a point or the
// reference has the wrong size or the reference is not finite.
double hypervolume(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& reference);

// An axis-aligned box [lower, upper]; lower bounds may be -infinity.
struct Box {
  std::vector<double> lower;
  std::vector<double> upper;
};

// Disjoint boxes whose union is the part of {z <= reference} that no point dominates. Two
// objectives: one box per front point plus one; more objectives: O(n^(m-1)) boxes.
std::vector<Box> non_dominated_boxes(const std::vector<std::vector<double>>& points,
                                     const std::vector<double>& reference);

// hypervolume(points + y) - hypervolume(points), computed from the points' non-dominated boxes.
double hypervolume_improvement(const std::vector<Box>& boxes, const std::vector<double>& y);

}  // namespace greentune::tune
