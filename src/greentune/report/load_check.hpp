#pragma once
// Which trials ran while other work competed for the machine. The rule: a trial ran under load
// when other processes took more than 10 % of the machine's busy CPU time while it ran (its
// recorded CPU share below 0.9). Why the share and not the load average: the 1-minute load average
// counts the trial's own threads and trails the last minute (at a trial's start it mostly shows
// the trial before), so it cannot tell the trial from the rest; the share compares the trial's CPU
// time with every CPU's busy time over exactly its run. On a machine measured by RAPL, the others'
// work lands in the same counters; on one estimated from CPU time it competes for caches and
// memory bandwidth: either way the joules of such a trial are not the arm's alone.
#include <cstddef>
#include <string>
#include <vector>

#include "greentune/tune/trial.hpp"

namespace greentune::report {

inline constexpr double kUnderLoadShare = 0.9;

enum class LoadVerdict { quiet, under_load, not_recorded };
LoadVerdict load_verdict(const tune::RunConditions& conditions);
// "under load", "quiet", "not recorded".
const char* to_string(LoadVerdict verdict);

struct LoadCount {
  std::string arm;  // "" for a count over everything
  size_t trials = 0, under_load = 0, not_recorded = 0;
  std::vector<double> cpu_shares;     // of the trials that recorded one
  std::vector<double> load_averages;  // at the start, of the trials that recorded one
};

LoadCount count_load(const std::vector<const tune::Trial*>& trials, std::string arm = "");

// One sentence: "3 of 40 trials ran under load (other processes took more than 10 % of the busy
// CPU time while they ran; median CPU share 0.95, median load average at start 2.1)", with
// per-arm counts when given ("bayes 1 of 20, grid 2 of 20"), and the trials that recorded nothing.
std::string load_sentence(const LoadCount& total, const std::vector<LoadCount>& arms = {});

// Every sentence ends with the rule, named once per page.
std::string load_rule_text();

}  // namespace greentune::report
