#pragma once
// Samplers are stateless: each proposal is computed from the study's history (read from storage),
// the space and a seed, so any worker on any machine proposes the same way. Randomness for trial
// n is seeded from (study seed, n), which keeps studies reproducible.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/space.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

struct SamplerContext {
  const SearchSpace& space;
  const std::vector<Trial>& history;  // every trial so far, running ones included, by number
  Direction direction = Direction::maximize;
  uint64_t seed = 0;  // the study's seed
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual std::string name() const = 0;
  // std::nullopt: nothing left to propose (e.g. every grid point taken).
  virtual std::optional<Params> propose(const SamplerContext& context) = 0;
};

}  // namespace greentune::tune
