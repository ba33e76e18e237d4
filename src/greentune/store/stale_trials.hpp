#pragma once
// The rule both stores apply to trials whose worker stopped sending heartbeats.
#include <vector>

#include "greentune/tune/trial.hpp"

namespace greentune::store {

// The running trials among `trials` whose last heartbeat is older than `stale_seconds` at `now`,
// already marked failed at `now` with the reason, `retry` set (the point is not to blame, so
// samplers may run it again) and the time and energy of their last report. The caller writes
// them back in its transaction.
std::vector<tune::Trial> take_stale_trials(std::vector<tune::Trial> trials, double now,
                                           double stale_seconds);

}  // namespace greentune::store
