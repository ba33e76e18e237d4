#pragma once
// Low-discrepancy sequences for the random sampler's quasi-random option. Both are randomised
// from a seed (Sobol by a digital shift, Halton by random digit permutations), so different
// studies get different but equally even point sets, and point n depends only on (seed, n).
#include <cstdint>
#include <vector>

namespace greentune::tune {

// Point `index` of a digitally shifted Sobol sequence (Joe-Kuo direction numbers, 20 dimensions;
// further dimensions are taken from the scrambled Halton sequence). Coordinates in [0, 1).
std::vector<double> sobol_point(uint64_t index, int dimensions, uint64_t seed);

// Point `index` of the Halton sequence (bases 2, 3, 5, ...) with seeded random digit permutations.
std::vector<double> halton_point(uint64_t index, int dimensions, uint64_t seed);

}  // namespace greentune::tune
