#include "greentune/tune/grid_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/unit_cube.hpp"

namespace greentune::tune {

namespace {

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// A seeded bijection on [0, size): a balanced Feistel network over the next even power of two,
// with cycle walking back into range. Gives a random visiting order without materialising it.
class Permutation {
 public:
  Permutation(uint64_t size, uint64_t seed) : size_(size) {
    while ((uint64_t{1} << (2 * half_bits_)) < size) ++half_bits_;
    for (int r = 0; r < 4; ++r) keys_[r] = mix(seed * 4 + static_cast<uint64_t>(r) + 0x9e37u);
  }
  uint64_t operator()(uint64_t index) const {
    uint64_t x = index;
    do x = encrypt(x);
    while (x >= size_);
    return x;
  }

 private:
  uint64_t encrypt(uint64_t x) const {
    const uint64_t mask = (uint64_t{1} << half_bits_) - 1;
    uint64_t left = x >> half_bits_, right = x & mask;
    for (uint64_t key : keys_) {
      const uint64_t next = left ^ (mix(right ^ key) & mask);
      left = right;
      right = next;
    }
    return (left << half_bits_) | right;
  }
  uint64_t size_;
  int half_bits_ = 1;
  uint64_t keys_[4]{};
};

}  // namespace

std::vector<ParamValue> grid_values(const ParamSpec& spec, int points, GridRule rule) {
  std::vector<ParamValue> values;
  if (spec.type == ParamType::categorical) {
    for (const auto& c : spec.choices) values.emplace_back(c);
    return values;
  }
  std::vector<double> numbers;
  for (int i = 0; i < points; ++i) {
    double t;
    if (rule == GridRule::paper)
      t = static_cast<double>(i) / points;
    else
      t = points == 1 ? 0.0 : static_cast<double>(i) / (points - 1);
    double v = spec.log
                   ? std::exp(std::log(spec.low) + t * (std::log(spec.high) - std::log(spec.low)))
                   : spec.low + t * (spec.high - spec.low);
    if (spec.step > 0) {
      const double max_k = std::floor((spec.high - spec.low) / spec.step + 1e-9);
      v = spec.low + std::clamp(std::round((v - spec.low) / spec.step), 0.0, max_k) * spec.step;
    }
    v = std::clamp(v, spec.low, spec.high);
    if (spec.type == ParamType::integer) v = static_cast<double>(std::llround(v));
    if (std::find(numbers.begin(), numbers.end(), v) == numbers.end()) numbers.push_back(v);
  }
  for (double v : numbers) {
    if (spec.type == ParamType::integer)
      values.emplace_back(static_cast<int64_t>(v));
    else
      values.emplace_back(v);
  }
  return values;
}

uint64_t GridSampler::grid_size(const SearchSpace& space) const {
  uint64_t size = 1;
  for (const auto& p : space.params) {
    const uint64_t n = grid_values(p, points_, rule_).size();
    if (size > (uint64_t{1} << 40) / n)
      throw InputError(
          fmt::format("grid: more than 2^40 points ({} values for space.{})", n, p.name));
    size *= n;
  }
  return size;
}

std::optional<Params> GridSampler::propose(const SamplerContext& context) {
  const auto& space = context.space;
  std::vector<std::vector<ParamValue>> axes;
  for (const auto& p : space.params) axes.push_back(grid_values(p, points_, rule_));
  const uint64_t size = grid_size(space);

  // Grid index of each trial's point (trials off the grid, e.g. from an older config, are skipped).
  std::unordered_set<uint64_t> taken;
  for (const auto& trial : context.history) {
    uint64_t index = 0;
    bool on_grid = true;
    for (size_t d = 0; d < axes.size() && on_grid; ++d) {
      auto it = trial.params.find(space.params[d].name);
      if (it == trial.params.end()) {
        on_grid = false;
        break;
      }
      size_t k = 0;
      while (k < axes[d].size() && !same_point({{"v", axes[d][k]}}, {{"v", it->second}})) ++k;
      if (k == axes[d].size()) on_grid = false;
      index = index * axes[d].size() + k;
    }
    if (on_grid) taken.insert(index);
  }
  if (taken.size() >= size) return std::nullopt;

  const Permutation order(size, context.seed);
  for (uint64_t position = 0; position < size; ++position) {
    uint64_t index = order(position);
    if (taken.count(index)) continue;
    Params params;
    for (size_t d = axes.size(); d-- > 0;) {
      params[space.params[d].name] = axes[d][index % axes[d].size()];
      index /= axes[d].size();
    }
    return params;
  }
  return std::nullopt;
}

}  // namespace greentune::tune
