#include "greentune/tune/random_sampler.hpp"

#include "greentune/tune/quasi_random.hpp"
#include "greentune/tune/unit_cube.hpp"

namespace greentune::tune {

std::string RandomSampler::name() const {
  // The quasi-random sequences go by their own names; plain pseudo-random is "random", not "none".
  if (quasi_ == QuasiKind::sobol || quasi_ == QuasiKind::halton) return to_string(quasi_);
  return "random";
}

std::vector<double> RandomSampler::unit_point(const SearchSpace& space, uint64_t seed,
                                              uint64_t number) const {
  const int d = static_cast<int>(space.params.size());
  if (quasi_ == QuasiKind::sobol) return sobol_point(number, d, seed);
  if (quasi_ == QuasiKind::halton) return halton_point(number, d, seed);
  auto rng = seeded_rng(seed, number, 0x7a11u);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> u(static_cast<size_t>(d));
  for (auto& x : u) x = uniform(rng);
  return u;
}

std::optional<Params> RandomSampler::propose(const SamplerContext& context) {
  return params_at(context.space, unit_point(context.space, context.seed, context.history.size()));
}

}  // namespace greentune::tune
