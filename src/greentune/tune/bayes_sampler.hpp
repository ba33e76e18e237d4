#pragma once
// Bayesian optimisation: a Gaussian process on the history (inputs in the unit cube, categorical
// one-hot, outputs standardised and turned into a minimisation), an acquisition function
// maximised over random candidates and points near the incumbents, then refined locally.
// Stateless: the proposal for trial n depends only on the history, the space and (seed, n).
#include "greentune/tune/sampler.hpp"
#include "greentune/tune/samplers.hpp"

namespace greentune::tune {

class BayesSampler : public Sampler {
 public:
  explicit BayesSampler(SamplerOptions options) : options_(options) {}
  std::string name() const override { return "bayes"; }
  std::optional<Params> propose(const SamplerContext& context) override;

 private:
  std::optional<Params> propose_with_model(const SamplerContext& context);
  SamplerOptions options_;
};

}  // namespace greentune::tune
