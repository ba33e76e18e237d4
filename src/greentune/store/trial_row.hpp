#pragma once
// How both engines keep a trial: the columns they query and update on their own (number, state,
// host, started_at, finished_at, heartbeat_at) and the whole typed record as JSON in record_json
// (tune::to_json), so a field added to the record needs no new column. On reading, the columns
// win over the same fields in record_json.
#include <cstdint>
#include <string>

#include "greentune/tune/trial.hpp"

namespace greentune::store {

struct TrialRow {
  int64_t id = 0;
  int64_t number = 0;
  std::string state;
  std::string host;
  double started_at = 0, finished_at = 0, heartbeat_at = 0;
  std::string record_json;
};

// `where` names the store and row in messages: InputError when record_json is not a record.
tune::Trial trial_from_row(const TrialRow& row, const std::string& where);
// record_json text; invalid UTF-8 in strings is replaced rather than failing the write.
std::string record_text(const tune::Trial& trial);

// The stored running trial finished with `result` (see tune::Storage::finish_trial). A failed
// result without time or energy of its own keeps what the trial's last report had used.
tune::Trial finished_record(tune::Trial stored, const tune::Trial& result, double now);
// Adds `report` to the trial's reports (replacing one of the same step), ordered by step.
void add_report(tune::Trial& trial, const tune::IntermediateReport& report);

}  // namespace greentune::store
