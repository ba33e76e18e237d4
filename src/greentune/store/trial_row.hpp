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

// The trial a row holds. One damaged row must not make a whole store unreadable, so this never
// throws: a row whose record_json is not a record, whose state is unknown or whose parameters are
// not finite numbers (null) comes back as a failed trial (retry unset, no values) whose `error`
// starts with kUnreadableRecord and says what is wrong, `where` (the store and row) included.
// Its columns are kept (and the record's other fields when only a parameter is bad); the row
// itself is not changed.
tune::Trial trial_from_row(const TrialRow& row, const std::string& where);

inline constexpr const char* kUnreadableRecord = "stored record unreadable: ";
// True for a trial trial_from_row had to mark (listings point these out).
bool has_unreadable_record(const tune::Trial& trial);
// record_json text; invalid UTF-8 in strings is replaced rather than failing the write.
std::string record_text(const tune::Trial& trial);

// The stored running trial finished with `result` (see tune::Storage::finish_trial). A failed
// result without time or energy of its own keeps what the trial's last report had used.
tune::Trial finished_record(tune::Trial stored, const tune::Trial& result, double now);
// Adds `report` to the trial's reports (replacing one of the same step), ordered by step.
void add_report(tune::Trial& trial, const tune::IntermediateReport& report);

}  // namespace greentune::store
