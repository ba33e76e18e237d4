#include "greentune/measured/run_conditions.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <utility>

#include "greentune/energy/process_cpu.hpp"
#include "greentune/energy/source.hpp"

namespace greentune::measured {

MachineLoad read_machine_load(const std::filesystem::path& proc_root) {
  MachineLoad load;
  if (std::ifstream in(proc_root / "loadavg"); in) {
    double one_minute = 0;
    if (in >> one_minute && std::isfinite(one_minute) && one_minute >= 0)
      load.load_average = one_minute;
  }
  load.busy_cpu_seconds = energy::machine_busy_cpu_seconds(proc_root);
  if (auto own = energy::read_proc_stat(proc_root, ::getpid()))
    load.own_cpu_seconds = own->cpu_seconds + own->reaped_child_seconds;
  return load;
}

tune::RunConditions conditions_between(const MachineLoad& start, const MachineLoad& end) {
  tune::RunConditions conditions;
  conditions.load_average_start = start.load_average;
  conditions.load_average_end = end.load_average;
  if (!start.busy_cpu_seconds || !end.busy_cpu_seconds || !start.own_cpu_seconds ||
      !end.own_cpu_seconds)
    return conditions;
  const double busy = *end.busy_cpu_seconds - *start.busy_cpu_seconds;
  const double own = *end.own_cpu_seconds - *start.own_cpu_seconds;
  // Counters that went backwards (a different machine's files, a counter reset) say nothing.
  if (busy < 0 || own < 0) return conditions;
  conditions.other_cpu_seconds = std::max(0.0, busy - own);
  // The kernel counts the process and the machine in separate ticks, so a lone trial can read a
  // little above the machine's busy time.
  if (busy > 0) conditions.cpu_share = std::clamp(own / busy, 0.0, 1.0);
  return conditions;
}

ConditionsRecorder::ConditionsRecorder(std::filesystem::path proc_root)
    : proc_root_(std::move(proc_root)), start_(read_machine_load(proc_root_)) {}

tune::RunConditions ConditionsRecorder::finish() const {
  return conditions_between(start_, read_machine_load(proc_root_));
}

std::filesystem::path proc_root_from_environment() {
  return energy::SystemPaths::from_environment().proc_root;
}

tune::Objective with_conditions(tune::Objective inner, std::filesystem::path proc_root) {
  return [inner = std::move(inner), proc_root = std::move(proc_root)](const tune::Params& params,
                                                                      tune::TrialContext& context) {
    ConditionsRecorder recorder(proc_root);
    tune::ObjectiveResult result = inner(params, context);
    const tune::RunConditions seen = recorder.finish();
    auto& c = result.conditions;
    if (!c.load_average_start) c.load_average_start = seen.load_average_start;
    if (!c.load_average_end) c.load_average_end = seen.load_average_end;
    if (!c.other_cpu_seconds) c.other_cpu_seconds = seen.other_cpu_seconds;
    if (!c.cpu_share) c.cpu_share = seen.cpu_share;
    return result;
  };
}

}  // namespace greentune::measured
