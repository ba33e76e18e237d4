#pragma once
// The built-in samplers (grid, random / quasi-random, Bayesian optimisation) and their settings.
#include <memory>
#include <string>

#include "greentune/tune/sampler.hpp"

namespace greentune::tune {

enum class GridRule {
  paper,     // lower + i*(upper-lower)/n for i = 0..n-1 (the paper: upper bound never used)
  inclusive  // n points from lower to upper, both included
};

enum class QuasiKind { none, sobol, halton };

enum class Acquisition { log_ei, pi, ucb };

struct SamplerOptions {
  // grid
  int grid_points = 5;  // values per parameter
  GridRule grid_rule = GridRule::paper;
  // random (and the Bayesian start-up rounds)
  QuasiKind quasi = QuasiKind::none;
  // Bayesian optimisation
  int startup_rounds = 5;  // completed trials before the model is used (the paper: 1)
  Acquisition acquisition = Acquisition::log_ei;
  double ucb_beta = 2.0;  // UCB: mean + sqrt(beta) * sd
  double xi = 0.0;        // PI / EI: improvement margin in standardised units
  int candidates = 2000;  // random candidates for the acquisition search
  int fit_restarts = 4;   // random starts of the marginal-likelihood maximisation
};

GridRule grid_rule_from_string(const std::string& text);       // "paper" | "inclusive"
QuasiKind quasi_from_string(const std::string& text);          // "none" | "sobol" | "halton"
Acquisition acquisition_from_string(const std::string& text);  // "logei"/"ei" | "pi" | "ucb"
const char* to_string(GridRule rule);
const char* to_string(QuasiKind kind);
const char* to_string(Acquisition acquisition);

// strategy: grid | random | sobol | halton | bayes. InputError naming the strategy otherwise.
std::unique_ptr<Sampler> make_sampler(const std::string& strategy, const SamplerOptions& options);

}  // namespace greentune::tune
