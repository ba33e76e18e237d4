#pragma once
// One observed quantity (an objective or a constrained metric) modelled by a Gaussian process on
// the encoded points: values standardised (all-equal values keep scale 1), hyperparameters fitted
// from three points on (fixed defaults before), and running trials added at the model's mean
// ("kriging believer"): their neighbourhood loses its uncertainty, so parallel workers spread out.
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "greentune/tune/gaussian_process.hpp"

namespace greentune::tune {

struct OutcomeModel {
  double mean = 0;  // standardised value = (value - mean) / scale; the prior mean (PriorMean)
  double scale = 1;
  Eigen::VectorXd standardised;  // the observations, in order (running trials not included)
  GaussianProcess gp;

  double to_model(double value) const { return (value - mean) / scale; }
};

// What the model predicts far from every observation (its constant prior mean).
enum class PriorMean {
  average,  // the observations' mean: the usual zero-mean GP on standardised values
  // The largest observation, the worst of a minimised quantity (De Ath, Fieldsend & Everson,
  // GECCO 2020). An average prior makes every unexplored region, typically the faces and corners
  // of the unit cube, look as good as an average trial, but with the most uncertainty, so an
  // acquisition spends trials there. With the worst value as prior, only the uncertainty
  // attracts, and the search refines promising regions first. It pays off with several
  // objectives, where an average point often beats the early front (docs/tuning.md: DTLZ2).
  largest_observed,
};

// x: one row per observation; pending: rows of running trials (may have no rows).
OutcomeModel fit_outcome_model(const Eigen::MatrixXd& x, const std::vector<double>& values,
                               const Eigen::MatrixXd& pending, int fit_restarts, uint64_t seed,
                               PriorMean prior_mean = PriorMean::average);

}  // namespace greentune::tune
