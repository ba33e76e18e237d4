#include "greentune/report/svg_axis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace greentune::report {
namespace {

// The smallest of 1, 2, 5, 10 times 10^k that is at least `raw`.
double nice_step(double raw) {
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * magnitude >= raw * (1 - 1e-9)) return m * magnitude;
  return 10 * magnitude;
}

// Decimals needed to tell ticks `step` apart.
int decimals_for(double step) {
  if (!(step > 0)) return 0;
  return std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
}

std::string trim_zeros(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string fixed(double value, int decimals) {
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find_first_not_of("-0.") == std::string::npos && text[0] == '-') text.erase(0, 1);
  return text;
}

// The nice value (1, 2 or 5 times 10^k) next to `value` in the direction given.
double nice_bound(double value, bool up) {
  double decade = std::pow(10.0, std::floor(std::log10(value)));
  const std::array<double, 4> multiples = {1, 2, 5, 10};
  if (up) {
    for (double m : multiples)
      if (m * decade >= value * (1 - 1e-12)) return m * decade;
    return 10 * decade;
  }
  for (auto it = multiples.rbegin(); it != multiples.rend(); ++it)
    if (*it * decade <= value * (1 + 1e-12)) return *it * decade;
  return decade;
}

}  // namespace

Ticks linear_ticks(double low, double high, int target, bool integer) {
  if (!std::isfinite(low) || !std::isfinite(high)) low = 0, high = 1;
  if (low > high) std::swap(low, high);
  if (low == high) {
    double pad = integer ? 1.0 : (low == 0 ? 1.0 : std::fabs(low) * 0.1);
    low -= pad;
    high += pad;
  }
  // Of the 1-2-5 steps near span / target, the one that wastes least of the axis on widening
  // (rounds 1..12 get 0..12 by 2, not 0..15 by 5), with a small price per tick away from target.
  const double span = high - low;
  const double raw = span / std::max(1, target - 1);
  double best_step = 0, best_score = 0;
  const int decade = static_cast<int>(std::floor(std::log10(raw)));
  for (int k = decade - 1; k <= decade + 1; ++k)
    for (double m : {1.0, 2.0, 5.0}) {
      double step = m * std::pow(10.0, k);
      if (integer && step < 1) continue;
      double first = std::floor(low / step + 1e-9), last = std::ceil(high / step - 1e-9);
      double count = last - first + 1;
      if (count < 3 || count > 9) continue;
      double waste = ((last - first) * step - span) / span;
      double score = 2 * waste + 0.08 * std::fabs(count - target);
      if (best_step == 0 || score < best_score) best_step = step, best_score = score;
    }
  const double step =
      best_step > 0 ? best_step : (integer ? std::max(1.0, nice_step(raw)) : nice_step(raw));
  Ticks ticks;
  ticks.step = step;
  ticks.low = std::floor(low / step + 1e-9) * step;
  ticks.high = std::ceil(high / step - 1e-9) * step;
  // Multiples of the step, computed from an integer count so 0.1 + 0.2 never shows as 0.30000004.
  long first = std::lround(ticks.low / step), last = std::lround(ticks.high / step);
  for (long i = first; i <= last; ++i) ticks.values.push_back(static_cast<double>(i) * step);
  return ticks;
}

Ticks log_ticks(double low, double high) {
  if (!(low > 0) || !(high > 0) || !std::isfinite(low) || !std::isfinite(high)) low = 1, high = 10;
  if (low > high) std::swap(low, high);
  Ticks ticks;
  ticks.low = nice_bound(low, false);
  ticks.high = nice_bound(high, true);
  if (ticks.high <= ticks.low) ticks.high = nice_bound(ticks.low * 1.5, true);
  const bool fine = std::log10(ticks.high / ticks.low) < 3;
  if (!fine) {  // long ranges end on whole decades, labelled alone
    ticks.low = std::pow(10.0, std::floor(std::log10(ticks.low) + 1e-12));
    ticks.high = std::pow(10.0, std::ceil(std::log10(ticks.high) - 1e-12));
  }
  int first = static_cast<int>(std::floor(std::log10(ticks.low))) - 1;
  int last = static_cast<int>(std::ceil(std::log10(ticks.high)));
  for (int k = first; k <= last; ++k)
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1 && !fine) continue;
      double v = m * std::pow(10.0, k);
      if (v >= ticks.low * (1 - 1e-9) && v <= ticks.high * (1 + 1e-9)) ticks.values.push_back(v);
    }
  return ticks;
}

Ticks axis_ticks(const Axis& axis, double low, double high) {
  if (axis.min) low = *axis.min;
  if (axis.max) high = *axis.max;
  if (axis.scale == AxisScale::log) {
    Ticks ticks = log_ticks(low, high);
    if (axis.min && *axis.min > 0) ticks.low = *axis.min;
    if (axis.max && *axis.max > 0) ticks.high = *axis.max;
    std::erase_if(ticks.values, [&](double v) { return v < ticks.low || v > ticks.high; });
    return ticks;
  }
  if (axis.include_zero) low = std::min(low, 0.0), high = std::max(high, 0.0);
  Ticks ticks = linear_ticks(low, high, 6, axis.integer);
  // Fixed ends are kept exactly (a 0..1 accuracy axis must not widen to 1.2).
  if (axis.min) ticks.low = *axis.min;
  if (axis.max) ticks.high = *axis.max;
  std::erase_if(ticks.values, [&](double v) {
    double slack = ticks.step * 1e-9;
    return v < ticks.low - slack || v > ticks.high + slack;
  });
  return ticks;
}

SiPrefix si_prefix(double magnitude) {
  static constexpr std::array<SiPrefix, 5> prefixes = {
      {{"m", 1e-3}, {"", 1}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}}};
  magnitude = std::fabs(magnitude);
  if (!(magnitude > 0) || !std::isfinite(magnitude)) return prefixes[1];
  for (auto it = prefixes.rbegin(); it != prefixes.rend(); ++it)
    if (magnitude >= it->factor * (1 - 1e-12)) return *it;
  return prefixes.front();
}

std::string si_text(double value, std::string_view unit, int significant) {
  if (!std::isfinite(value)) return "n/a";
  // Rounded to the digits shown before the prefix is chosen, so 999.9 J reads 1 kJ, not 1000 J.
  if (value != 0) {
    double digits = std::floor(std::log10(std::fabs(value))) + 1;
    double unit_of_last = std::pow(10.0, digits - significant);
    value = std::round(value / unit_of_last) * unit_of_last;
  }
  SiPrefix prefix = si_prefix(value);
  double scaled = value / prefix.factor;
  int digits_before =
      std::fabs(scaled) >= 1 ? static_cast<int>(std::floor(std::log10(std::fabs(scaled)))) + 1 : 1;
  int decimals = std::max(0, significant - digits_before);
  return trim_zeros(fixed(scaled, decimals)) + " " + prefix.symbol + std::string(unit);
}

AxisText axis_text(const Axis& axis, const Ticks& ticks) {
  AxisText text;
  const bool joules = axis.unit == "J";
  if (axis.scale == AxisScale::log) {
    for (double v : ticks.values)
      text.tick_labels.push_back(joules ? si_text(v, "J") : trim_zeros(fmt::format("{:g}", v)));
    text.title = axis.label;
    if (!axis.unit.empty() && !joules) text.title += " (" + axis.unit + ")";
    text.title += ", log scale";
    return text;
  }
  double magnitude = std::max(std::fabs(ticks.low), std::fabs(ticks.high));
  SiPrefix prefix = joules ? si_prefix(magnitude) : SiPrefix{"", 1};
  int decimals = decimals_for(ticks.step / prefix.factor);
  for (double v : ticks.values) text.tick_labels.push_back(fixed(v / prefix.factor, decimals));
  text.title = axis.label;
  if (!axis.unit.empty()) text.title += " (" + std::string(prefix.symbol) + axis.unit + ")";
  return text;
}

}  // namespace greentune::report
