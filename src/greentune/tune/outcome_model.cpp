#include "greentune/tune/outcome_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace greentune::tune {

OutcomeModel fit_outcome_model(const Eigen::MatrixXd& x, const std::vector<double>& values,
                               const Eigen::MatrixXd& pending, int fit_restarts, uint64_t seed,
                               PriorMean prior_mean) {
  const double n = static_cast<double>(values.size());
  const double average = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double var = 0;
  for (double v : values) var += (v - average) * (v - average);
  const double scale = values.size() > 1 && var > 1e-24 * n ? std::sqrt(var / n) : 1.0;
  // The GP's prior mean is 0 in the standardised space, so the offset chosen here is what the
  // model predicts far from every observation.
  const double mean = prior_mean == PriorMean::largest_observed && !values.empty()
                          ? *std::max_element(values.begin(), values.end())
                          : average;
  Eigen::VectorXd y(static_cast<Eigen::Index>(values.size()));
  for (size_t i = 0; i < values.size(); ++i)
    y(static_cast<Eigen::Index>(i)) = (values[i] - mean) / scale;

  const int dims = static_cast<int>(x.cols());
  GpHyperparameters hyper;
  if (values.size() >= 3) {
    GpFitOptions fit;
    fit.restarts = fit_restarts;
    fit.seed = seed;
    hyper = fit_hyperparameters(x, y, fit);
  } else {
    hyper.length_scales.assign(static_cast<size_t>(dims), 0.3);
    hyper.noise_variance = 1e-4;
  }
  GaussianProcess gp(x, y, hyper);
  if (pending.rows() > 0) {
    Eigen::VectorXd pm, pv;
    gp.predict(pending, pm, pv);
    Eigen::MatrixXd xa(x.rows() + pending.rows(), dims);
    xa << x, pending;
    Eigen::VectorXd ya(y.size() + pm.size());
    ya << y, pm;
    gp = GaussianProcess(xa, ya, hyper);
  }
  return OutcomeModel{mean, scale, std::move(y), std::move(gp)};
}

}  // namespace greentune::tune
