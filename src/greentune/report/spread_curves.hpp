#pragma once
// Best-so-far curves of several studies of one arm (seeds, models, datasets) brought onto one
// x axis, so an arm is drawn as one line with a band: "how far had this strategy got after r
// rounds / after J joules?". Free of storage and charts so it can be checked by hand.
#include <cstddef>
#include <optional>
#include <vector>

#include "greentune/report/charts.hpp"

namespace greentune::report {

// A step curve: from x[i] on (until x[i + 1]) the best value so far is best[i]. x ascending.
struct StepCurve {
  std::vector<double> x, best;
};

// One study's best so far against its rounds (x = 1, 2, ...) or its cumulative joules (x = the
// joules of every trial up to and including that round). `values` per round in stored order,
// nullopt where a round has no value; `joules` per round. Rounds before the first value are left
// out.
StepCurve best_by_round(const std::vector<std::optional<double>>& values, bool maximize);
StepCurve best_by_joules(const std::vector<std::optional<double>>& values,
                         const std::vector<double>& joules, bool maximize);

struct Spread {
  size_t studies = 0;
  std::vector<XY> median;  // at every x where some curve steps, within the common range
  std::vector<Band> band;  // lowest to highest over the studies, one per median point
};

// The median and range over the curves at each x where any curve steps, from the x at which every
// curve has a value to the smallest last x (where the shortest curve ends: beyond it the arm's
// figure would mix studies that had stopped with those still running). Empty without curves or
// without such a range.
Spread spread_over(const std::vector<StepCurve>& curves);

}  // namespace greentune::report
