#include "greentune/tune/gaussian_process.hpp"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "greentune/tune/acquisition.hpp"

namespace greentune::tune {
namespace {

double matern_by_hand(double r) {
  return (1 + std::sqrt(5.0) * r + 5.0 / 3.0 * r * r) * std::exp(-std::sqrt(5.0) * r);
}

TEST(GaussianProcess, PosteriorMatchesClosedFormForOnePoint) {
  GpHyperparameters h{{0.5, 2.0}, 1.5, 0.01};
  Eigen::MatrixXd x(1, 2);
  x << 0.2, 0.4;
  Eigen::VectorXd y(1);
  y << 1.3;
  GaussianProcess gp(x, y, h);
  const double q[2] = {0.5, 0.1};
  const double r = std::sqrt(std::pow((0.5 - 0.2) / 0.5, 2) + std::pow((0.1 - 0.4) / 2.0, 2));
  const double k = 1.5 * matern_by_hand(r);
  const auto p = gp.predict(q);
  EXPECT_NEAR(p.mean, k / (1.5 + 0.01) * 1.3, 1e-10);
  EXPECT_NEAR(p.variance, 1.5 - k * k / (1.5 + 0.01), 1e-10);
  // log marginal likelihood of one Gaussian observation with variance s2 + noise.
  const double v = 1.51;
  EXPECT_NEAR(gp.log_marginal_likelihood(), -0.5 * 1.3 * 1.3 / v - 0.5 * std::log(2 * M_PI * v),
              1e-10);
}

TEST(GaussianProcess, PosteriorMatchesClosedFormForTwoPoints) {
  GpHyperparameters h{{0.3}, 1.0, 1e-3};
  Eigen::MatrixXd x(2, 1);
  x << 0.1, 0.6;
  Eigen::VectorXd y(2);
  y << -1.0, 2.0;
  GaussianProcess gp(x, y, h);
  const double q = 0.3;
  const double k12 = matern_by_hand(0.5 / 0.3), a = 1 + 1e-3;
  const double det = a * a - k12 * k12;
  const double ks[2] = {matern_by_hand(0.2 / 0.3), matern_by_hand(0.3 / 0.3)};
  // K^-1 for a 2x2 matrix by hand.
  const double inv[2][2] = {{a / det, -k12 / det}, {-k12 / det, a / det}};
  double mean = 0, quad = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      mean += ks[i] * inv[i][j] * y(j);
      quad += ks[i] * inv[i][j] * ks[j];
    }
  const auto p = gp.predict(&q);
  EXPECT_NEAR(p.mean, mean, 1e-10);
  EXPECT_NEAR(p.variance, 1.0 - quad, 1e-10);
  Eigen::MatrixXd many(2, 1);
  many << q, 0.6;
  Eigen::VectorXd m, v;
  gp.predict(many, m, v);
  EXPECT_NEAR(m(0), mean, 1e-10);
  EXPECT_NEAR(v(0), 1.0 - quad, 1e-10);
  EXPECT_NEAR(m(1), 2.0, 0.01);  // at a data point: the observation, up to the noise
}

TEST(GaussianProcess, LogPosteriorGradientMatchesFiniteDifferences) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(12, 3);
  Eigen::VectorXd y(12);
  for (int i = 0; i < 12; ++i) {
    for (int d = 0; d < 3; ++d) x(i, d) = u(rng);
    y(i) = std::sin(6 * x(i, 0)) + x(i, 1) * x(i, 1);
  }
  const std::vector<double> theta{std::log(0.4), std::log(0.9), std::log(2.0), 0.3, std::log(0.01)};
  std::vector<double> grad(theta.size());
  log_posterior(x, y, theta, &grad);
  for (size_t j = 0; j < theta.size(); ++j) {
    auto plus = theta, minus = theta;
    plus[j] += 1e-6;
    minus[j] -= 1e-6;
    const double numeric =
        (log_posterior(x, y, plus, nullptr) - log_posterior(x, y, minus, nullptr)) / 2e-6;
    EXPECT_NEAR(grad[j], numeric, 1e-4 * std::max(1.0, std::abs(numeric))) << "theta " << j;
  }
}

TEST(GaussianProcess, FitFindsShortLengthScaleForWigglyDimensionOnly) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(40, 2);
  Eigen::VectorXd y(40);
  for (int i = 0; i < 40; ++i) {
    x(i, 0) = u(rng);
    x(i, 1) = u(rng);
    y(i) = std::sin(10 * x(i, 0));  // the second input is irrelevant
  }
  y = (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
  const auto h = fit_hyperparameters(x, y, GpFitOptions{4, 0, 1});
  EXPECT_LT(h.length_scales[0], 0.5);
  EXPECT_GT(h.length_scales[1], 2 * h.length_scales[0]);
  EXPECT_LT(h.noise_variance, 0.05);
}

TEST(GaussianProcess, DuplicatePointsAndEqualValuesDoNotBreakTheFactorisation) {
  Eigen::MatrixXd x(4, 2);
  x << 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.1, 0.9;
  Eigen::VectorXd y = Eigen::VectorXd::Zero(4);
  const auto h = fit_hyperparameters(x, y, GpFitOptions{2, 0, 1});
  GaussianProcess gp(x, y, h);
  const double q[2] = {0.3, 0.3};
  const auto p = gp.predict(q);
  EXPECT_TRUE(std::isfinite(p.mean));
  EXPECT_TRUE(std::isfinite(p.variance));
  EXPECT_GT(p.variance, 0);
}

TEST(Acquisition, LogEiAgreesWithDirectEiForModerateValues) {
  for (double mean : {-2.0, -0.5, 0.0, 0.7, 1.5, 3.0, 6.0}) {
    for (double sd : {0.1, 0.5, 1.0, 2.0}) {
      const double ei = expected_improvement(mean, sd, 0.0);
      if (ei < 1e-300) continue;
      EXPECT_NEAR(log_expected_improvement(mean, sd, 0.0), std::log(ei),
                  1e-9 * std::max(1.0, std::abs(std::log(ei))))
          << mean << " " << sd;
    }
  }
}

TEST(Acquisition, LogEiStaysFiniteAndMonotoneFarBelowTheIncumbent) {
  double previous = 0;
  for (double z = -1; z > -1e10; z *= 1.7) {
    const double v = log_h(z);
    ASSERT_TRUE(std::isfinite(v)) << z;
    if (z < -1) {
      EXPECT_LT(v, previous) << z;
    }
    previous = v;
  }
  // Across the switch points of the formulation the value is continuous.
  for (double z : {-1.0, -25.0}) EXPECT_NEAR(log_h(z - 1e-9), log_h(z + 1e-9), 1e-6);
  // Where plain EI underflows, log EI still ranks: a closer mean is better.
  EXPECT_EQ(expected_improvement(40, 1, 0), 0.0);
  EXPECT_GT(log_expected_improvement(40, 1, 0), log_expected_improvement(41, 1, 0));
}

TEST(Acquisition, LogNormalCdfIsAccurateInTheTail) {
  for (double z : {-3.0, -6.0, -10.0, -20.0}) {
    EXPECT_NEAR(log_normal_cdf(z), std::log(0.5 * std::erfc(-z / std::sqrt(2.0))),
                1e-9 * std::abs(z * z));
  }
  EXPECT_TRUE(std::isfinite(log_normal_cdf(-1e5)));
  EXPECT_NEAR(log_normal_cdf(-40),
              -0.5 * 1600 - std::log(40 * std::sqrt(2 * M_PI)) +
                  std::log1p(-1.0 / 1600 + 3.0 / 1600 / 1600),
              1e-8);
}

}  // namespace
}  // namespace greentune::tune
