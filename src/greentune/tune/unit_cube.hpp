#pragma once
// Maps parameters to and from the unit cube, which every sampler works in: real and integer
// parameters take one coordinate (log ones in log space), categorical ones take one coordinate
// per choice (one-hot) in the model, or one coordinate (choice = floor(u * k)) when sampled.
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "greentune/tune/space.hpp"

namespace greentune::tune {

// A generator seeded from (seed, trial number, stream) only, so trial n's randomness does not
// depend on which process proposes it or on what was proposed before.
std::mt19937_64 seeded_rng(uint64_t seed, uint64_t number, uint64_t stream = 0);

// The value of `spec` at u in [0, 1] (one coordinate per parameter, categorical included).
ParamValue value_at(const ParamSpec& spec, double u);
Params params_at(const SearchSpace& space, const std::vector<double>& u);

// One-hot encoding for models: dimension = reals + integers + sum of categorical choices.
int encoded_dimension(const SearchSpace& space);
// nullopt when the params do not fit the space (missing, wrong type, unknown choice).
std::optional<std::vector<double>> encode(const SearchSpace& space, const Params& params);
// Clamps, rounds integers to their step and picks the largest one-hot coordinate.
Params decode(const SearchSpace& space, const std::vector<double>& x);

// Whether two parameter sets are the same point (reals compared with a relative tolerance).
bool same_point(const Params& a, const Params& b);

}  // namespace greentune::tune
