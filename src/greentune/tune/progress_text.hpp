#pragma once
// The progress line of a study, one per finished trial: `greentune tune` prints tune_progress_line;
// `greentune experiment` builds its own line from the same parts, so both show a pruned trial and
// the energy budgets the same way.
#include <string>

#include "greentune/tune/study.hpp"

namespace greentune::tune {

// A trial that has no value of its own: "pruned@3" (the step it was stopped at), or its state
// ("diverged", "failed", ...).
std::string trial_state_text(const Trial& trial);

// "joules  1.234e+04", then "/5e+05" with a study budget (and " budget spent" once reached),
// "  trial 812/2e+04 J" with a trial budget, "  pruned 4 (3.1e+03 J)" once trials were pruned.
std::string energy_progress_text(const Progress& progress);

// "round  3/30  trial  3  value     pruned@1  best       0.8512  joules ...  ETA 2 min", and for
// a failed trial its error in parentheses. `width`: digits of the round and trial columns.
std::string tune_progress_line(const Progress& progress, int width);

}  // namespace greentune::tune
