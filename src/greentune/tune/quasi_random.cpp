#include "greentune/tune/quasi_random.hpp"

#include <algorithm>
#include <array>
#include <numeric>

#include "greentune/tune/unit_cube.hpp"

namespace greentune::tune {

namespace {

// Joe & Kuo (2008), new-joe-kuo-6.21201: degree s, coefficients a and initial numbers m for
// dimensions 2..20 (dimension 1 is the van der Corput sequence).
struct Primitive {
  uint32_t s, a;
  std::array<uint32_t, 7> m;
};
constexpr std::array<Primitive, 19> kJoeKuo{{
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
}};
constexpr int kSobolDimensions = 20;
constexpr int kBits = 32;

using Directions = std::array<uint32_t, kBits>;

Directions directions(int dimension) {
  Directions v{};
  if (dimension == 0) {
    for (int k = 0; k < kBits; ++k) v[static_cast<size_t>(k)] = 1u << (kBits - 1 - k);
    return v;
  }
  const auto& p = kJoeKuo[static_cast<size_t>(dimension - 1)];
  const int s = static_cast<int>(p.s);
  for (int k = 0; k < s; ++k)
    v[static_cast<size_t>(k)] = p.m[static_cast<size_t>(k)] << (kBits - 1 - k);
  for (int k = s; k < kBits; ++k) {
    uint32_t value = v[static_cast<size_t>(k - s)] ^ (v[static_cast<size_t>(k - s)] >> s);
    for (int j = 1; j < s; ++j)
      if ((p.a >> (s - 1 - j)) & 1u) value ^= v[static_cast<size_t>(k - j)];
    v[static_cast<size_t>(k)] = value;
  }
  return v;
}

const std::array<Directions, kSobolDimensions>& all_directions() {
  static const auto table = [] {
    std::array<Directions, kSobolDimensions> t{};
    for (int d = 0; d < kSobolDimensions; ++d) t[static_cast<size_t>(d)] = directions(d);
    return t;
  }();
  return table;
}

std::vector<uint32_t> primes(int count) {
  std::vector<uint32_t> out;
  for (uint32_t n = 2; static_cast<int>(out.size()) < count; ++n) {
    bool prime = true;
    for (uint32_t p : out) {
      if (p * p > n) break;
      if (n % p == 0) prime = false;
    }
    if (prime) out.push_back(n);
  }
  return out;
}

uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double scrambled_radical_inverse(uint64_t index, uint32_t base, uint64_t seed, int dimension) {
  double result = 0, scale = 1.0 / base;
  std::vector<uint32_t> permutation(base);
  // Enough digits that the remaining scale is below double resolution; padding digits (index
  // exhausted) are permuted too, which is what makes the scrambling unbiased.
  for (int digit = 0; scale > 1e-16; ++digit, scale /= base) {
    std::iota(permutation.begin(), permutation.end(), 0u);
    uint64_t state = seed * 0x2545f4914f6cdd1dULL + static_cast<uint64_t>(dimension) * 1000003u +
                     static_cast<uint64_t>(digit);
    splitmix(state);
    for (uint32_t i = base - 1; i > 0; --i)  // Fisher-Yates
      std::swap(permutation[i], permutation[splitmix(state) % (i + 1)]);
    result += permutation[index % base] * scale;
    index /= base;
  }
  return std::min(result, 1.0 - 1e-16);
}

}  // namespace

std::vector<double> sobol_point(uint64_t index, int dimensions, uint64_t seed) {
  std::vector<double> point(static_cast<size_t>(dimensions));
  const auto& table = all_directions();
  auto rng = seeded_rng(seed, 0, 0x50b01u);
  const uint64_t gray = index ^ (index >> 1);
  for (int d = 0; d < std::min(dimensions, kSobolDimensions); ++d) {
    uint32_t x = static_cast<uint32_t>(rng());  // the digital shift
    for (int k = 0; k < kBits; ++k)
      if ((gray >> k) & 1u) x ^= table[static_cast<size_t>(d)][static_cast<size_t>(k)];
    point[static_cast<size_t>(d)] = (x + 0.5) / 4294967296.0;
  }
  if (dimensions > kSobolDimensions) {
    const auto rest = halton_point(index, dimensions, seed);
    for (int d = kSobolDimensions; d < dimensions; ++d)
      point[static_cast<size_t>(d)] = rest[static_cast<size_t>(d)];
  }
  return point;
}

std::vector<double> halton_point(uint64_t index, int dimensions, uint64_t seed) {
  static const auto bases = primes(64);
  std::vector<double> point(static_cast<size_t>(dimensions));
  for (int d = 0; d < dimensions; ++d) {
    // Beyond 64 dimensions the bases repeat with different permutations: still well spread.
    const uint32_t base = bases[static_cast<size_t>(d % 64)];
    point[static_cast<size_t>(d)] = scrambled_radical_inverse(index, base, seed, d);
  }
  return point;
}

}  // namespace greentune::tune
