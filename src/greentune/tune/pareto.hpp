#pragma once
// Pareto dominance for objective vectors, in the minimisation convention: turn maximised
// objectives round with to_minimisation first.
#include <cstddef>
#include <optional>
#include <vector>

#include "greentune/tune/trial.hpp"

namespace greentune::tune {

// `a` dominates `b`: no worse in every objective and better in at least one. Equal vectors do not
// dominate each other.
bool dominates(const std::vector<double>& a, const std::vector<double>& b);

// Indices (ascending) of the points no other point dominates. Duplicates of a non-dominated point
// are all kept (they are different trials with the same outcome); points with a non-finite
// coordinate are never on the front and never dominate.
std::vector<size_t> pareto_front_indices(const std::vector<std::vector<double>>& points);

// Negates the maximised objectives, so that every objective is minimised.
// InputError when a point has not one value per direction.
std::vector<std::vector<double>> to_minimisation(const std::vector<std::vector<double>>& points,
                                                 const std::vector<Direction>& directions);

// The knee of a front (minimisation): after scaling each objective to [0, 1] over the given
// points, the point with the smallest sum of scaled objectives. With two objectives that is the
// point farthest from the line through the two extremes, the classic knee (Das 1999). Pass the
// front's points (dominated points would still be considered). nullopt for no points; ties go to
// the lower index.
std::optional<size_t> knee_point_index(const std::vector<std::vector<double>>& front);

}  // namespace greentune::tune
