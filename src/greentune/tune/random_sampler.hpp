#pragma once
// Random search: independent uniform (log-uniform for log parameters) draws, or a randomised
// Sobol/Halton sequence. Trial n uses point n, so proposals need no state beyond (seed, n).
#include "greentune/tune/sampler.hpp"
#include "greentune/tune/samplers.hpp"

namespace greentune::tune {

class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(QuasiKind quasi = QuasiKind::none) : quasi_(quasi) {}
  std::string name() const override;
  std::optional<Params> propose(const SamplerContext& context) override;

  // The point of trial `number` in the unit cube (one coordinate per parameter).
  std::vector<double> unit_point(const SearchSpace& space, uint64_t seed, uint64_t number) const;

 private:
  QuasiKind quasi_;
};

}  // namespace greentune::tune
