#pragma once
// How both engines keep a study's objectives (schema version 3): directions_json, a JSON list of
// "minimize"/"maximize" (one per objective), and metrics_json, a JSON list of metric names (empty:
// the objective's default metrics). The direction column keeps the first objective's direction,
// so a reader of the older columns sees the study's main objective.
#include <string>
#include <vector>

#include "greentune/tune/storage.hpp"

namespace greentune::store {

std::string directions_text(const std::vector<tune::Direction>& directions);
std::string metrics_text(const std::vector<std::string>& metrics);

// Fills info.directions and info.metrics from the two columns' text; `where` names the store in
// messages. InputError when a column is not what greentune writes (store contents are
// untrusted), or when its first direction is not the direction column's.
void read_objective_columns(tune::StudyInfo& info, const std::string& directions_json,
                            const std::string& metrics_json, const std::string& where);

}  // namespace greentune::store
