#include "greentune/tune/acquisition.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace greentune::tune {

namespace {
constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log(sqrt(2 pi))
constexpr double kSqrtHalfPi = 1.2533141373155002512;   // sqrt(pi / 2)
}  // namespace

double normal_pdf(double z) {
  return std::exp(-0.5 * z * z - kLogSqrt2Pi);
}

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

double log_normal_cdf(double z) {
  if (z > -5) return std::log(normal_cdf(z));
  // Phi(z) = phi(z) * R(|z|) with the Mills ratio R(t) = sqrt(pi/2) erfcx(t / sqrt 2); erfc(t)
  // exp(t^2) is exact enough while exp(t^2) is finite, then the asymptotic series.
  const double t = -z;
  double log_mills;
  if (t < 26) {
    const double u = t / std::numbers::sqrt2;
    log_mills = std::log(kSqrtHalfPi * std::erfc(u)) + u * u;
  } else {
    const double s = 1 / (t * t);
    log_mills = -std::log(t) + std::log1p(-s * (1 - 3 * s * (1 - 5 * s * (1 - 7 * s))));
  }
  return -0.5 * z * z - kLogSqrt2Pi + log_mills;
}

double log_h(double z) {
  if (z > -1) return std::log(normal_pdf(z) + z * normal_cdf(z));
  // h(z) = phi(z) (1 - t R(t)) with t = -z; 1 - t R(t) cancels badly for large t, so it comes
  // from erfcx while that is accurate and from the asymptotic series 1/t^2 - 3/t^4 + ... beyond.
  const double t = -z;
  double log_rest;
  if (t < 25) {
    const double u = t / std::numbers::sqrt2;
    const double t_mills = t * kSqrtHalfPi * std::erfc(u) * std::exp(u * u);
    log_rest = std::log1p(-t_mills);
  } else if (t < 1e8) {
    const double s = 1 / (t * t);
    log_rest = std::log(s) + std::log1p(-s * (3 - s * (15 - s * (105 - s * 945))));
  } else {
    log_rest = -2 * std::log(t);
  }
  return -0.5 * z * z - kLogSqrt2Pi + log_rest;
}

double expected_improvement(double mean, double sd, double best) {
  if (!(sd > 0)) return std::max(best - mean, 0.0);
  const double z = (best - mean) / sd;
  return sd * (normal_pdf(z) + z * normal_cdf(z));
}

double log_expected_improvement(double mean, double sd, double best) {
  if (!(sd > 0)) {
    return best > mean ? std::log(best - mean) : -std::numeric_limits<double>::infinity();
  }
  return std::log(sd) + log_h((best - mean) / sd);
}

double log_probability_of_improvement(double mean, double sd, double best) {
  if (!(sd > 0)) return best > mean ? 0.0 : -std::numeric_limits<double>::infinity();
  return log_normal_cdf((best - mean) / sd);
}

double negative_lcb(double mean, double sd, double beta) {
  return -(mean - std::sqrt(beta) * sd);
}

}  // namespace greentune::tune
