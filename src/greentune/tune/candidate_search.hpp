#pragma once
// Maximising an acquisition function over the encoded unit cube, shared by the Bayesian samplers:
// random candidates plus perturbations of incumbent points, scored in one batch, the best few
// refined locally with BOBYQA over the continuous coordinates (one-hot blocks stay fixed), then
// the best proposal that no trial has taken yet.
#include <functional>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "greentune/tune/space.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

// Coordinates of the encoding (unit_cube.hpp) that are continuous (reals, integers), and the
// one-hot blocks of categorical parameters.
struct EncodedLayout {
  int dims = 0;
  std::vector<int> continuous;
  std::vector<std::pair<int, int>> blocks;  // (first coordinate, choices)
};
EncodedLayout encoded_layout(const SearchSpace& space);

Eigen::MatrixXd to_matrix(const std::vector<std::vector<double>>& rows, int dims);

// Larger is better. Non-finite scores are treated as the worst possible.
using PointScore = std::function<double(const std::vector<double>&)>;
using BatchScore = std::function<std::vector<double>(const Eigen::MatrixXd&)>;

struct CandidateSearch {
  int random_candidates = 2000;
  int perturbations_per_incumbent = 60;  // half at scale 0.1, half at 0.02
  int refined = 5;                       // best candidates refined with BOBYQA
};

// `random_candidates` uniform points, then perturbations of each incumbent. Draws from `rng` in
// a fixed order, so the candidates depend only on its seed.
std::vector<std::vector<double>> acquisition_candidates(
    const EncodedLayout& layout, const std::vector<std::vector<double>>& incumbents,
    const CandidateSearch& search, std::mt19937_64& rng);

// Scores the candidates, refines the best `search.refined`, and returns (score, point) pairs,
// best first: the refined ones and at least 64 in all.
std::vector<std::pair<double, std::vector<double>>> rank_candidates(
    const EncodedLayout& layout, const std::vector<std::vector<double>>& candidates,
    const PointScore& score, const BatchScore& batch_score, const CandidateSearch& search);

// The first ranked point whose decoded parameters no trial of `history` has (in integer or
// categorical spaces the refined optimum can round onto an evaluated point).
std::optional<Params> first_untaken(
    const SearchSpace& space, const std::vector<std::pair<double, std::vector<double>>>& ranked,
    const std::vector<Trial>& history);

}  // namespace greentune::tune
