#include "greentune/store/stale_trials.hpp"

#include <fmt/format.h>

#include "greentune/store/trial_row.hpp"

namespace greentune::store {

std::vector<tune::Trial> take_stale_trials(std::vector<tune::Trial> trials, double now,
                                           double stale_seconds) {
  std::vector<tune::Trial> stale;
  for (auto& trial : trials) {
    if (trial.state != tune::TrialState::running || now - trial.heartbeat_at <= stale_seconds) {
      continue;
    }
    tune::Trial failed;
    failed.state = tune::TrialState::failed;
    failed.error = fmt::format(
        "stale: no heartbeat from host '{}' for {:.0f} s (limit {:.0f} s); the process running "
        "it is presumed dead",
        trial.host, now - trial.heartbeat_at, stale_seconds);
    failed.retry = true;  // the point is not to blame: run it again
    stale.push_back(finished_record(std::move(trial), failed, now));
  }
  return stale;
}

}  // namespace greentune::store
