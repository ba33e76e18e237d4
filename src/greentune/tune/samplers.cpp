#include "greentune/tune/samplers.hpp"

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/bayes_sampler.hpp"
#include "greentune/tune/grid_sampler.hpp"
#include "greentune/tune/random_sampler.hpp"

namespace greentune::tune {

GridRule grid_rule_from_string(const std::string& text) {
  if (text == "paper") return GridRule::paper;
  if (text == "inclusive") return GridRule::inclusive;
  throw InputError(fmt::format("grid rule '{}': expected paper or inclusive", text));
}

QuasiKind quasi_from_string(const std::string& text) {
  if (text == "none") return QuasiKind::none;
  if (text == "sobol") return QuasiKind::sobol;
  if (text == "halton") return QuasiKind::halton;
  throw InputError(fmt::format("quasi '{}': expected none, sobol or halton", text));
}

Acquisition acquisition_from_string(const std::string& text) {
  if (text == "logei" || text == "ei" || text == "log_ei") return Acquisition::log_ei;
  if (text == "pi") return Acquisition::pi;
  if (text == "ucb") return Acquisition::ucb;
  throw InputError(fmt::format("acquisition '{}': expected logei, pi or ucb", text));
}

const char* to_string(GridRule rule) {
  return rule == GridRule::paper ? "paper" : "inclusive";
}

const char* to_string(QuasiKind kind) {
  switch (kind) {
    case QuasiKind::sobol:
      return "sobol";
    case QuasiKind::halton:
      return "halton";
    case QuasiKind::none:
      break;
  }
  return "none";
}

const char* to_string(Acquisition acquisition) {
  switch (acquisition) {
    case Acquisition::pi:
      return "pi";
    case Acquisition::ucb:
      return "ucb";
    case Acquisition::log_ei:
      break;
  }
  return "logei";
}

std::unique_ptr<Sampler> make_sampler(const std::string& strategy, const SamplerOptions& options) {
  if (strategy == "grid")
    return std::make_unique<GridSampler>(options.grid_points, options.grid_rule);
  if (strategy == "random") return std::make_unique<RandomSampler>(options.quasi);
  if (strategy == "sobol") return std::make_unique<RandomSampler>(QuasiKind::sobol);
  if (strategy == "halton") return std::make_unique<RandomSampler>(QuasiKind::halton);
  if (strategy == "bayes") return std::make_unique<BayesSampler>(options);
  throw InputError(
      fmt::format("strategy '{}': expected grid, random, sobol, halton or bayes", strategy));
}

}  // namespace greentune::tune
