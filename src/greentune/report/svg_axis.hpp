#pragma once
// Axis ranges, ticks and tick labels: 1-2-5 steps on linear axes, decades (with 2 and 5 between
// on short ranges) on log axes, engineering prefixes for joules.
#include <string>
#include <string_view>
#include <vector>

#include "greentune/report/charts.hpp"

namespace greentune::report {

struct Ticks {
  double low = 0, high = 1;    // the axis range: the data range widened to nice values
  std::vector<double> values;  // tick positions, ascending, within [low, high]
  double step = 0;             // linear: the 1-2-5 step; log: 0
};

// About `target` ticks spaced 1, 2 or 5 times a power of ten; the ends widened to multiples of the
// step. An empty or non-finite range becomes [0, 1]; a single value is padded around it.
Ticks linear_ticks(double low, double high, int target = 6, bool integer = false);

// Both ends must be positive (callers drop the rest). The ends widen to 1, 2 or 5 times a power of
// ten; ticks at every decade, with 2 and 5 between when the range spans under three decades.
Ticks log_ticks(double low, double high);

// The ticks for an axis over data in [low, high], honouring its fixed ends, scale and integer rule.
Ticks axis_ticks(const Axis& axis, double low, double high);

struct SiPrefix {
  const char* symbol;  // "m", "", "k", "M", "G"
  double factor;
};

// The engineering prefix (powers of 1000 from milli to giga) under which |magnitude| reads 1..999.
SiPrefix si_prefix(double magnitude);

// `value` with an engineering prefix and `significant` digits, trailing zeros dropped:
// si_text(1530, "J") == "1.53 kJ", si_text(149, "J") == "149 J", si_text(0, "J") == "0 J".
std::string si_text(double value, std::string_view unit, int significant = 3);

struct AxisText {
  std::string title;                     // label with its unit, e.g. "cumulative energy (kJ)"
  std::vector<std::string> tick_labels;  // one per tick
};

// Linear axes share one prefix and one count of decimals over all ticks (the prefix goes into the
// title); log axes label each tick on its own ("10 J", "1 kJ").
AxisText axis_text(const Axis& axis, const Ticks& ticks);

}  // namespace greentune::report
