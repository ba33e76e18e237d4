#include "greentune/tune/hyperband_pruner.hpp"

#include <cmath>

#include <fmt/format.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {

HyperbandPruner::HyperbandPruner(int min_step, int max_step, int reduction, int min_peers) {
  if (min_step < 1 || reduction < 2 || max_step < min_step || max_step > kMaxPrunerSteps)
    throw InputError(fmt::format(
        "hyperband pruner: expected min_step >= 1, reduction >= 2 and max_step from min_step to "
        "{}, got min_step = {}, reduction = {}, max_step = {}",
        kMaxPrunerSteps, min_step, reduction, max_step));
  std::vector<int> first_rungs;
  for (int64_t step = min_step; step <= max_step; step *= reduction)
    first_rungs.push_back(static_cast<int>(step));
  const int count = static_cast<int>(first_rungs.size());
  for (int b = 0; b < count; ++b) {
    brackets_.emplace_back(first_rungs[static_cast<size_t>(b)], max_step, reduction, min_peers);
    const int s = count - 1 - b;
    weights_.push_back(
        static_cast<int>(std::ceil(count * std::pow(reduction, s) / static_cast<double>(s + 1))));
  }
  // Smooth weighted round-robin: each slot goes to the bracket with the largest credit; the
  // winner pays back the total. Over one cycle every bracket gets exactly its weight.
  int total = 0;  // at most about 2 * max_step / min_step (reduction 2), see kMaxPrunerSteps
  for (int w : weights_) total += w;
  std::vector<int64_t> credit(weights_.size(), 0);
  for (int slot = 0; slot < total; ++slot) {
    size_t pick = 0;
    for (size_t b = 0; b < weights_.size(); ++b) {
      credit[b] += weights_[b];
      if (credit[b] > credit[pick]) pick = b;
    }
    credit[pick] -= total;
    cycle_.push_back(static_cast<int>(pick));
  }
}

int HyperbandPruner::bracket_of(int trial_number) const {
  const int length = static_cast<int>(cycle_.size());
  const int slot = ((trial_number % length) + length) % length;
  return cycle_[static_cast<size_t>(slot)];
}

PruneDecision HyperbandPruner::decide(const PruneInput& input) const {
  const int mine = bracket_of(input.current.trial_number);
  auto decision = brackets_[static_cast<size_t>(mine)].decide_among(
      input, [&](const Curve& other) { return bracket_of(other.trial_number) == mine; });
  decision.reason = fmt::format("bracket {}: {}", mine, decision.reason);
  return decision;
}

}  // namespace greentune::tune
