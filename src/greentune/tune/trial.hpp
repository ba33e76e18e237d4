#pragma once
// A trial as stored: parameters, state, value(s), per-epoch intermediate values, time and energy.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/space.hpp"

namespace greentune::tune {

enum class TrialState { running, complete, failed, diverged, pruned };
const char* to_string(TrialState state);
TrialState trial_state_from_string(const std::string& text);  // InputError on unknown text

enum class Direction { minimize, maximize };

struct TrialEnergy {
  std::string domain;  // "package-0", "gpu-0", ...
  std::string source;  // "powercap", "nvml", "estimate", ...
  std::string kind;    // "measured" | "estimated"
  double joules = 0;
};

struct IntermediateValue {
  int step = 0;  // epoch
  double value = 0;
};

struct Trial {
  int64_t id = 0;  // storage-wide id
  int number = 0;  // 0-based round within the study
  TrialState state = TrialState::running;
  std::optional<double> value;  // the objective (validation accuracy, branin value, ...)
  std::vector<double> values;   // further objectives, for multi-objective studies
  Params params;
  std::vector<IntermediateValue> intermediate;
  double seconds = 0;
  double joules = 0;  // sum of energy
  std::vector<TrialEnergy> energy;
  std::string host;
  std::string attrs_json =
      "{}";                // free-form details (test accuracy, per-epoch records, error text)
  double started_at = 0;   // unix seconds
  double finished_at = 0;  // 0 while running
  double heartbeat_at = 0;
};

}  // namespace greentune::tune
