#pragma once
// Reading a trial as schema version 1 kept it (greentune 0.1 up to the typed record): columns for
// the value(s), parameters, time and joules, rows of energy and intermediate values, and an
// attrs_json blob with whatever the writer put there. Both engines' migrations turn such a row
// into the typed record with this one function.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "greentune/tune/trial.hpp"

namespace greentune::store {

struct LegacyTrialRow {
  int64_t id = 0;
  int64_t number = 0;  // 0-based in version 1
  std::string state;
  std::optional<double> value;     // the first objective
  std::string values_json = "[]";  // further objectives
  std::string params_json = "{}";
  double seconds = 0, joules = 0;
  std::string host;
  std::string attrs_json = "{}";
  double started_at = 0, finished_at = 0, heartbeat_at = 0;
  std::vector<tune::DomainEnergy> energy;                           // trial_energy rows, in order
  std::vector<std::pair<int, std::optional<double>>> intermediate;  // trial_intermediate rows
};

// The typed record of a version-1 row, numbered from 1. The attrs blob's known keys (pid, error,
// retry, the trainer's and experiment's figures) become typed fields; per-epoch time and energy
// fill the intermediate reports; keys nothing types (e.g. the per-epoch "epochs" detail) stay in
// `attributes` unchanged, so nothing is lost. InputError (naming `where`) only for parameters or
// values that are not JSON of the right shape.
tune::Trial trial_from_legacy(const LegacyTrialRow& row, const std::string& where);

}  // namespace greentune::store
