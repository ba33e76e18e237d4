#pragma once
// A minimal ask/evaluate/tell loop for sampler tests (the real Study lives in the store room).
#include <functional>
#include <vector>

#include "greentune/tune/sampler.hpp"

namespace greentune::tune::testing {

inline std::vector<Trial> run_loop(Sampler& sampler, const SearchSpace& space, uint64_t seed,
                                   int rounds, const std::function<double(const Params&)>& f,
                                   Direction direction = Direction::minimize) {
  std::vector<Trial> history;
  for (int i = 0; i < rounds; ++i) {
    SamplerContext context{space, history, direction, seed};
    auto params = sampler.propose(context);
    if (!params) break;
    Trial t;
    t.number = i + 1;
    t.params = *params;
    t.state = TrialState::complete;
    t.values = {f(*params)};
    history.push_back(t);
  }
  return history;
}

inline double best_value(const std::vector<Trial>& history) {
  double best = 1e300;
  for (const auto& t : history)
    if (t.value() && *t.value() < best) best = *t.value();
  return best;
}

}  // namespace greentune::tune::testing
