#pragma once
// Acquisition functions for minimisation on standardised values. log EI follows the numerically
// stable formulation of Ament et al. (2023, "Unexpected improvements to expected improvement"),
// which stays finite and informative far below the incumbent where plain EI underflows to 0.
namespace greentune::tune {

double normal_pdf(double z);
double normal_cdf(double z);
double log_normal_cdf(double z);  // accurate for very negative z

// log h(z) with h(z) = phi(z) + z Phi(z), so that EI = sigma * h((best - mean) / sigma).
double log_h(double z);
// Expected improvement below `best` and its logarithm.
double expected_improvement(double mean, double sd, double best);
double log_expected_improvement(double mean, double sd, double best);
// log of the probability of improvement below best - xi.
double log_probability_of_improvement(double mean, double sd, double best);
// Negative lower confidence bound: larger is better, like the others.
double negative_lcb(double mean, double sd, double beta);

}  // namespace greentune::tune
