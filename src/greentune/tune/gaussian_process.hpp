#pragma once
// Gaussian-process regression with a Matérn-5/2 ARD kernel (one length scale per input), a
// signal variance and a noise variance; hyperparameters fitted by maximising the log marginal
// likelihood (plus weak priors) with L-BFGS from several starts.
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace greentune::tune {

struct GpHyperparameters {
  std::vector<double> length_scales;
  double signal_variance = 1.0;
  double noise_variance = 1e-4;
};

struct GpPrediction {
  double mean = 0;
  double variance = 0;
};

// k(x, x') for the Matérn-5/2 ARD kernel.
double matern52(const double* a, const double* b, int dims, const GpHyperparameters& h);

class GaussianProcess {
 public:
  // x: n rows of dims inputs; y: n targets (used as given, zero prior mean).
  // Adds growing jitter to the diagonal until the Cholesky factorisation succeeds.
  GaussianProcess(Eigen::MatrixXd x, Eigen::VectorXd y, GpHyperparameters hyper);

  GpPrediction predict(const double* x) const;
  // Predictions for many rows at once (faster than one by one).
  void predict(const Eigen::MatrixXd& x, Eigen::VectorXd& mean, Eigen::VectorXd& variance) const;
  double log_marginal_likelihood() const;
  const GpHyperparameters& hyperparameters() const { return hyper_; }
  int size() const { return static_cast<int>(y_.size()); }

 private:
  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  GpHyperparameters hyper_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd alpha_;
  double log_det_ = 0;
};

struct GpFitOptions {
  int restarts = 4;         // random starts besides the default one
  int max_evaluations = 0;  // per local search; 0 = chosen from the data size
  uint64_t seed = 0;
};

// Maximises log marginal likelihood + log prior over log length scales, log signal variance and
// log noise variance (bounded). Never throws for bad data: falls back to the default start.
GpHyperparameters fit_hyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                      const GpFitOptions& options);

// The objective being maximised and its gradient, exposed for tests: theta = (log l_1..l_d,
// log signal variance, log noise variance).
double log_posterior(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                     const std::vector<double>& theta, std::vector<double>* gradient);

}  // namespace greentune::tune
