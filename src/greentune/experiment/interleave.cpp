#include "greentune/experiment/interleave.hpp"

#include <algorithm>
#include <climits>

namespace greentune::experiment {

std::vector<size_t> next_turns(const std::vector<ArmProgress>& arms) {
  int lowest = INT_MAX;
  for (const auto& arm : arms)
    if (!arm.done()) lowest = std::min(lowest, arm.finished);
  std::vector<size_t> turns;
  if (lowest == INT_MAX) return turns;
  const size_t n = arms.size();
  const size_t first = static_cast<size_t>(lowest) % n;
  for (size_t k = 0; k < n; ++k) {
    size_t i = (first + k) % n;
    if (!arms[i].done() && arms[i].finished == lowest) turns.push_back(i);
  }
  return turns;
}

}  // namespace greentune::experiment
