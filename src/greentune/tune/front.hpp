#pragma once
// A study's Pareto front, read from its trials: which complete trials satisfy every constraint
// and are dominated by no other such trial, the hypervolume they cover, the knee point and the
// cheapest trial within a given distance of the best. The progress lines, `greentune pareto` and
// the report all read fronts from here, so they agree.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/study_objectives.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

// The trial's value of each objective (metrics.hpp's metric_value), nullopt when one is missing
// (not complete, or not measured).
std::optional<std::vector<double>> objective_values(const Trial& trial,
                                                    const StudyObjectives& objectives);
// Complete, every objective measured, every constraint satisfied.
bool is_feasible(const Trial& trial, const StudyObjectives& objectives);

struct ParetoFront {
  // Indices into the trials: the feasible trials no other feasible trial dominates, ordered by
  // the first objective, best first (ties by trial order).
  std::vector<size_t> members;
  // The hypervolume's reference point in the objectives' units: the study's reference_point, or
  // else the worst value of each objective among the feasible trials, 10% of their range beyond
  // (so the ends of the front count). An inferred reference moves as trials arrive, so the
  // hypervolume of a growing study is not bound to grow; with a given one it never shrinks.
  std::vector<double> reference;
  bool reference_given = false;
  double hypervolume = 0;      // of the feasible trials against `reference`; 0 without any
  std::optional<size_t> knee;  // index into the trials (pareto.hpp's knee_point_index)
  int complete = 0;            // complete trials with every objective measured
  int feasible = 0;            // ... that satisfy every constraint
};

ParetoFront pareto_front(const std::vector<Trial>& trials, const StudyObjectives& objectives);

// "Within X of the best": an amount in the first objective's units ("0.01"), or a share of the
// best value's magnitude ("1%").
struct Closeness {
  double amount = 0.01;
  bool relative = false;
};
// "0.01", "1%", "0.5 %": InputError naming the text otherwise (negative or not a number).
Closeness parse_closeness(const std::string& text);
std::string to_string(const Closeness& closeness);

// Among the feasible trials whose first objective is within `within` of the best feasible one's,
// the one that used the fewest joules (the study's "joules" metric when it has one, else the
// trial's measured joules; ties to the better first objective, then the earlier trial). Index
// into the trials; nullopt when no trial is feasible, or none of the candidates recorded energy.
std::optional<size_t> cheapest_within(const std::vector<Trial>& trials,
                                      const StudyObjectives& objectives, Closeness within);

}  // namespace greentune::tune
