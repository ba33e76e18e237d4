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
  double mean = 0;  // standardised value = (value - mean) / scale
  double scale = 1;
  Eigen::VectorXd standardised;  // the observations, in order (running trials not included)
  GaussianProcess gp;

  double to_model(double value) const { return (value - mean) / scale; }
};

// x: one row per observation; pending: rows of running trials (may have no rows).
OutcomeModel fit_outcome_model(const Eigen::MatrixXd& x, const std::vector<double>& values,
                               const Eigen::MatrixXd& pending, int fit_restarts, uint64_t seed);

}  // namespace greentune::tune
