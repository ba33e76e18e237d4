#pragma once
// What a finished (or running) study says: best so far per round, the optimum round, the joules
// spent to reach it, and a comparison of strategies over several studies.
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/trial.hpp"

namespace greentune::tune {

struct BestPoint {
  int round = 0;                // the trial's number (1-based, as stored and printed)
  std::optional<double> value;  // this round's value (complete trials only)
  std::optional<double> best;   // best so far, direction-aware; nullopt before the first value
  double joules = 0;            // cumulative joules up to and including this round
  double seconds = 0;           // cumulative seconds
};

// Best value up to and including each entry, direction-aware. Entries without a value or with a
// non-finite one carry the previous best; before the first value the entry is nullopt.
std::vector<std::optional<double>> best_so_far(const std::vector<std::optional<double>>& values,
                                               Direction direction);

// One entry per trial, ordered by trial number. Running/failed/diverged trials carry no value
// but their joules count.
std::vector<BestPoint> best_so_far(const std::vector<Trial>& trials, Direction direction);

struct StudySummary {
  std::string study;
  std::string strategy;
  int trials = 0;    // all trials
  int complete = 0;  // trials with a value
  std::optional<double> best;
  std::optional<int> optimum_round;  // number of the first trial within tolerance of the best
  double joules_to_optimum = 0;      // sum of joules of trials 1..optimum_round
  double seconds_to_optimum = 0;
  double total_joules = 0;
  double total_seconds = 0;
};

StudySummary summarize_study(const std::vector<Trial>& trials, Direction direction,
                             double tolerance = 0.005);

struct Spread {
  double mean = 0, sd = 0, min = 0, max = 0, median = 0;
  int n = 0;
};
Spread spread(const std::vector<double>& values);

struct StrategyRow {
  std::string strategy;
  int studies = 0;
  Spread rounds_to_optimum, joules_to_optimum, best, total_joules, trials;
};

// Groups the summaries by strategy (in order of first appearance).
std::vector<StrategyRow> compare_strategies(const std::vector<StudySummary>& studies);
// A fixed-width text table of the rows (mean ± sd when a strategy has several studies).
std::string format_comparison(const std::vector<StrategyRow>& rows);

}  // namespace greentune::tune
