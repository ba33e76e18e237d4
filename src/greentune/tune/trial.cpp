#include "greentune/tune/trial.hpp"

#include <fmt/format.h>

#include "greentune/common/error.hpp"

namespace greentune::tune {

const char* to_string(TrialState state) {
  switch (state) {
    case TrialState::running:
      return "running";
    case TrialState::complete:
      return "complete";
    case TrialState::failed:
      return "failed";
    case TrialState::diverged:
      return "diverged";
    case TrialState::pruned:
      return "pruned";
  }
  return "unknown";
}

TrialState trial_state_from_string(const std::string& text) {
  for (auto state : {TrialState::running, TrialState::complete, TrialState::failed,
                     TrialState::diverged, TrialState::pruned})
    if (text == to_string(state)) return state;
  throw InputError(fmt::format(
      "trial state '{}': expected running, complete, failed, diverged or pruned", text));
}

}  // namespace greentune::tune
