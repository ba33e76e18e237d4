#pragma once
// Grid search: n values per parameter, the grid points visited in a seeded random order without
// repeats. A proposal is the first point in that order not taken by any trial of the history
// (running and failed ones included), so workers that claim inside one storage transaction never
// share a point, and fewer rounds than points give a random subset (as the paper drew 64 of 125).
#include <cstdint>
#include <vector>

#include "greentune/tune/sampler.hpp"
#include "greentune/tune/samplers.hpp"

namespace greentune::tune {

// The values of one parameter on the grid: for reals, the paper's rule
// low + i*(high-low)/n, i = 0..n-1, or n points from low to high inclusive (log parameters in log
// space); integers rounded to their step and deduplicated; categoricals all their choices.
std::vector<ParamValue> grid_values(const ParamSpec& spec, int points, GridRule rule);

class GridSampler : public Sampler {
 public:
  GridSampler(int points, GridRule rule) : points_(points), rule_(rule) {}
  std::string name() const override { return "grid"; }
  std::optional<Params> propose(const SamplerContext& context) override;

  uint64_t grid_size(const SearchSpace& space) const;

 private:
  int points_;
  GridRule rule_;
};

}  // namespace greentune::tune
