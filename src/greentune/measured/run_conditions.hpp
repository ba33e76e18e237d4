#pragma once
// The state of the machine while a trial ran (tune::RunConditions): the 1-minute load average when
// it started and ended, and how the machine's busy CPU time over the run split between the trial
// and everything else. Read from <proc> (GREENTUNE_PROC_ROOT moves it, as for the energy sources),
// so a fake /proc tests it.
//
// Every objective greentune runs passes through with_conditions() where it meets its study
// (`greentune tune`, `greentune experiment`), so this is the one place that fills the record.
#include <filesystem>
#include <optional>

#include "greentune/tune/objective.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::measured {

// One look at the machine. Every figure is unset when its file is missing or malformed: the trial
// then records less, it never fails for it.
struct MachineLoad {
  std::optional<double> load_average;      // <proc>/loadavg, first field
  std::optional<double> busy_cpu_seconds;  // <proc>/stat: every CPU's busy time, cumulative
  std::optional<double> own_cpu_seconds;   // this process and the children it has reaped
};

MachineLoad read_machine_load(const std::filesystem::path& proc_root);

// Between two looks: other_cpu_seconds = busy - own (never below 0); cpu_share = own / busy,
// clamped to [0, 1], unset when no CPU was busy at all.
tune::RunConditions conditions_between(const MachineLoad& start, const MachineLoad& end);

// Looks at the machine when made and again in finish().
class ConditionsRecorder {
 public:
  explicit ConditionsRecorder(std::filesystem::path proc_root);
  tune::RunConditions finish() const;

 private:
  std::filesystem::path proc_root_;
  MachineLoad start_;
};

// <proc> as the energy sources see it: GREENTUNE_PROC_ROOT, else /proc.
std::filesystem::path proc_root_from_environment();

// The objective with its result's conditions filled in; a figure the objective set itself is kept
// (the command objective knows its own process tree's share better than this process does).
// Counts this process's CPU time as the trial's: right for objectives that run one trial at a time
// in this process or in children it waits for.
tune::Objective with_conditions(tune::Objective inner,
                                std::filesystem::path proc_root = proc_root_from_environment());

}  // namespace greentune::measured
