#include "greentune/store/stale_trials.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace greentune::store {

std::vector<tune::Trial> take_stale_trials(std::vector<tune::Trial> trials, double now,
                                           double stale_seconds) {
  std::vector<tune::Trial> stale;
  for (auto& trial : trials) {
    if (trial.state != tune::TrialState::running || now - trial.heartbeat_at <= stale_seconds) {
      continue;
    }
    nlohmann::json attrs = nlohmann::json::parse(trial.attrs_json, nullptr, false);
    if (!attrs.is_object()) attrs = nlohmann::json::object();
    attrs["error"] = fmt::format(
        "stale: no heartbeat from host '{}' for {:.0f} s (limit {:.0f} s); the process running "
        "it is presumed dead",
        trial.host, now - trial.heartbeat_at, stale_seconds);
    attrs["retry"] = true;  // the point is not to blame: run it again
    trial.attrs_json = attrs.dump();
    trial.state = tune::TrialState::failed;
    trial.finished_at = now;
    stale.push_back(std::move(trial));
  }
  return stale;
}

}  // namespace greentune::store
