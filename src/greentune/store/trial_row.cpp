#include "greentune/store/trial_row.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "greentune/common/error.hpp"

namespace greentune::store {

namespace {

// The first parameter that is a number but not a finite one ("" when none): samplers never
// propose such a value, so the record was damaged (or written before bounds were checked).
std::string non_finite_param(const tune::Trial& trial) {
  for (const auto& [name, value] : trial.params)
    if (const auto* d = std::get_if<double>(&value); d && !std::isfinite(*d))
      return fmt::format("params.{} is {} (null), not a finite number", name, *d);
  return {};
}

}  // namespace

tune::Trial trial_from_row(const TrialRow& row, const std::string& where) {
  tune::Trial trial;
  std::string problem;
  auto json = nlohmann::json::parse(row.record_json, nullptr, false);
  if (json.is_discarded()) {
    problem = fmt::format("{}: record_json is not JSON; expected a trial record", where);
  } else {
    try {
      trial = tune::trial_from_json(json, where);
    } catch (const InputError& e) {
      problem = e.what();
    }
  }
  trial.id = row.id;
  trial.number = static_cast<int>(row.number);
  trial.host = row.host;
  trial.started_at = row.started_at;
  trial.finished_at = row.finished_at;
  trial.heartbeat_at = row.heartbeat_at;
  try {
    trial.state = tune::trial_state_from_string(row.state);
  } catch (const InputError& e) {
    if (problem.empty()) problem = fmt::format("{}: {}", where, e.what());
  }
  if (problem.empty()) {
    if (auto bad = non_finite_param(trial); !bad.empty())
      problem = fmt::format("{}: {}", where, bad);
  }
  if (!problem.empty()) {
    trial.state = tune::TrialState::failed;
    trial.retry = false;
    trial.values.clear();
    trial.error = kUnreadableRecord + problem;
  }
  return trial;
}

bool has_unreadable_record(const tune::Trial& trial) {
  return trial.state == tune::TrialState::failed && trial.error.starts_with(kUnreadableRecord);
}

std::string record_text(const tune::Trial& trial) {
  return tune::to_json(trial).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

tune::Trial finished_record(tune::Trial stored, const tune::Trial& result, double now) {
  stored.state = result.state;
  stored.values = result.values;
  stored.seconds = result.seconds;
  stored.joules = result.joules;
  stored.energy = result.energy;
  if (stored.joules == 0)
    for (const auto& e : stored.energy) stored.joules += std::isfinite(e.joules) ? e.joules : 0;
  if (result.state == tune::TrialState::failed) {
    // An interrupted or abandoned trial without a measurement of its own still used what its
    // last report says.
    tune::Usage used = tune::usage_from_reports(stored);
    if (stored.seconds == 0) stored.seconds = used.seconds;
    if (stored.joules == 0 && stored.energy.empty()) stored.joules = used.joules;
  }
  stored.finished_at = result.finished_at > 0 ? result.finished_at : now;
  stored.heartbeat_at = stored.finished_at;
  stored.retry = result.retry;
  stored.error = result.error;
  // Conditions and attributes recorded while the trial ran stay unless the result says otherwise.
  const auto& c = result.conditions;
  if (c.load_average_start) stored.conditions.load_average_start = c.load_average_start;
  if (c.load_average_end) stored.conditions.load_average_end = c.load_average_end;
  if (c.other_cpu_seconds) stored.conditions.other_cpu_seconds = c.other_cpu_seconds;
  if (c.cpu_share) stored.conditions.cpu_share = c.cpu_share;
  stored.training = result.training;
  if (!stored.attributes.is_object()) stored.attributes = nlohmann::json::object();
  if (result.attributes.is_object()) stored.attributes.update(result.attributes);
  for (const auto& report : result.intermediate) add_report(stored, report);
  return stored;
}

void add_report(tune::Trial& trial, const tune::IntermediateReport& report) {
  auto& reports = trial.intermediate;
  auto it = std::find_if(reports.begin(), reports.end(),
                         [&](const tune::IntermediateReport& r) { return r.step == report.step; });
  if (it != reports.end()) {
    *it = report;
    return;
  }
  reports.push_back(report);
  std::stable_sort(reports.begin(), reports.end(),
                   [](const auto& a, const auto& b) { return a.step < b.step; });
}

}  // namespace greentune::store
