#include "greentune/tune/unit_cube.hpp"

#include <algorithm>
#include <cmath>

namespace greentune::tune {

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double clamp01(double u) {
  return std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : 0.5;
}

// Real/integer value <-> unit coordinate, continuous (before snapping to a step).
double to_unit(const ParamSpec& spec, double value) {
  if (spec.log)
    return (std::log(value) - std::log(spec.low)) / (std::log(spec.high) - std::log(spec.low));
  return (value - spec.low) / (spec.high - spec.low);
}

double from_unit(const ParamSpec& spec, double u) {
  if (spec.log)
    return std::exp(std::log(spec.low) + u * (std::log(spec.high) - std::log(spec.low)));
  return spec.low + u * (spec.high - spec.low);
}

double snap(const ParamSpec& spec, double value) {
  if (spec.step > 0) {
    const double k = std::round((value - spec.low) / spec.step);
    const double max_k = std::floor((spec.high - spec.low) / spec.step + 1e-9);
    value = spec.low + std::clamp(k, 0.0, max_k) * spec.step;
  }
  return std::clamp(value, spec.low, spec.high);
}

}  // namespace

std::mt19937_64 seeded_rng(uint64_t seed, uint64_t number, uint64_t stream) {
  const uint64_t a = splitmix64(seed ^ 0x6a09e667f3bcc909ULL);
  const uint64_t b = splitmix64(a ^ number);
  std::seed_seq seq{static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32),
                    static_cast<uint32_t>(stream), static_cast<uint32_t>(stream >> 32)};
  return std::mt19937_64(seq);
}

ParamValue value_at(const ParamSpec& spec, double u) {
  u = clamp01(u);
  switch (spec.type) {
    case ParamType::categorical: {
      const auto k = spec.choices.size();
      return spec.choices[std::min(k - 1, static_cast<size_t>(u * static_cast<double>(k)))];
    }
    case ParamType::integer: {
      if (spec.log) {
        // Widen by half a step so the end values get their fair share after rounding.
        ParamSpec wide = spec;
        wide.low = std::max(spec.low - 0.5, 0.5 * spec.low);
        wide.high = spec.high + 0.5;
        return static_cast<int64_t>(std::llround(snap(spec, from_unit(wide, u))));
      }
      const double count = std::floor((spec.high - spec.low) / spec.step) + 1;
      const double k = std::min(count - 1, std::floor(u * count));
      return static_cast<int64_t>(std::llround(spec.low + k * spec.step));
    }
    case ParamType::real:
      break;
  }
  if (spec.step > 0) {
    const double count = std::floor((spec.high - spec.low) / spec.step + 1e-9) + 1;
    return snap(spec, spec.low + std::min(count - 1, std::floor(u * count)) * spec.step);
  }
  return std::clamp(from_unit(spec, u), spec.low, spec.high);
}

Params params_at(const SearchSpace& space, const std::vector<double>& u) {
  Params params;
  for (size_t i = 0; i < space.params.size(); ++i)
    params[space.params[i].name] = value_at(space.params[i], u[i]);
  return params;
}

int encoded_dimension(const SearchSpace& space) {
  int d = 0;
  for (const auto& p : space.params)
    d += p.type == ParamType::categorical ? static_cast<int>(p.choices.size()) : 1;
  return d;
}

std::optional<std::vector<double>> encode(const SearchSpace& space, const Params& params) {
  std::vector<double> x;
  x.reserve(static_cast<size_t>(encoded_dimension(space)));
  for (const auto& spec : space.params) {
    auto it = params.find(spec.name);
    if (it == params.end()) return std::nullopt;
    if (spec.type == ParamType::categorical) {
      const auto* text = std::get_if<std::string>(&it->second);
      if (text == nullptr) return std::nullopt;
      auto pos = std::find(spec.choices.begin(), spec.choices.end(), *text);
      if (pos == spec.choices.end()) return std::nullopt;
      for (size_t c = 0; c < spec.choices.size(); ++c)
        x.push_back(static_cast<size_t>(pos - spec.choices.begin()) == c ? 1.0 : 0.0);
      continue;
    }
    double value;
    if (const auto* d = std::get_if<double>(&it->second))
      value = *d;
    else if (const auto* i = std::get_if<int64_t>(&it->second))
      value = static_cast<double>(*i);
    else
      return std::nullopt;
    if (!std::isfinite(value) || (spec.log && value <= 0)) return std::nullopt;
    x.push_back(clamp01(to_unit(spec, value)));
  }
  return x;
}

Params decode(const SearchSpace& space, const std::vector<double>& x) {
  Params params;
  size_t i = 0;
  for (const auto& spec : space.params) {
    if (spec.type == ParamType::categorical) {
      size_t best = 0;
      for (size_t c = 1; c < spec.choices.size(); ++c)
        if (x[i + c] > x[i + best]) best = c;
      params[spec.name] = spec.choices[best];
      i += spec.choices.size();
      continue;
    }
    const double value = snap(spec, from_unit(spec, clamp01(x[i++])));
    if (spec.type == ParamType::integer)
      params[spec.name] = static_cast<int64_t>(std::llround(value));
    else
      params[spec.name] = value;
  }
  return params;
}

bool same_point(const Params& a, const Params& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, value] : a) {
    auto it = b.find(name);
    if (it == b.end()) return false;
    const auto* x = std::get_if<double>(&value);
    const auto* y = std::get_if<double>(&it->second);
    if (x && y) {
      if (std::abs(*x - *y) > 1e-9 * std::max({1.0, std::abs(*x), std::abs(*y)})) return false;
    } else if (value != it->second) {
      return false;
    }
  }
  return true;
}

}  // namespace greentune::tune
