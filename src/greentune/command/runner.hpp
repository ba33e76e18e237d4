#pragma once
// Runs one trial of the command objective: the program with the trial's values (placeholders and
// GREENTUNE_* variables), its report lines read as they come, its energy accounted for, and the
// way it ended (exit status, signal, timeout, pruning, interruption) turned into an outcome.
// Knows nothing of studies or stores: objective.hpp turns the outcome into a trial result.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greentune/command/config.hpp"
#include "greentune/command/energy_ledger.hpp"
#include "greentune/command/gpu_pool.hpp"
#include "greentune/command/stop_switch.hpp"
#include "greentune/tune/space.hpp"

namespace greentune::command {

// Shared by every worker of one `greentune tune`.
struct CommandRuntime {
  CommandConfig config;
  std::filesystem::path base_dir;  // the study config's folder: relative workdir and trials_dir
  std::string study;
  EnergyLedger* ledger = nullptr;  // nullptr: energy is not measured
  GpuPool* gpus = nullptr;         // nullptr: trials see the GPUs greentune sees
  // The ledger's domain for each GPU of the pool ("0" -> "gpu-0"); a GPU missing here has no
  // energy reading, and its trials are charged no GPU energy.
  std::map<std::string, std::string> gpu_domains;
  StopSwitch* stop = nullptr;  // nullptr: nothing stops trials from outside
  std::filesystem::path proc_root = "/proc";
  size_t max_line_bytes = size_t{1} << 20;
  size_t stderr_tail_bytes = 4096;
};

struct StepReport {
  int64_t step = 0;
  std::vector<double> values;  // one per metric (joules and seconds from the measurement)
  double seconds = 0;          // since the program started
  double joules = 0;           // since the program started
  std::vector<DomainJoules> energy;
};

enum class Ending { exited, signalled, timed_out, pruned, interrupted, not_started };

struct CommandOutcome {
  Ending ending = Ending::not_started;
  int exit_code = -1;                         // when exited
  int signal = 0;                             // when signalled
  std::optional<std::vector<double>> values;  // the trial's value per metric, when it has one
  std::string failure;                        // why it failed; "" when it completed
  std::vector<StepReport> reports;
  double seconds = 0;
  std::optional<LedgerReading> energy;  // nullopt: not measured
  std::string stderr_tail;              // the last bytes of its stderr (valid UTF-8)
  std::filesystem::path trial_dir;
  std::filesystem::path log_file;
  std::string gpu;  // the GPU it was given, "" without --gpus
  bool complete() const { return ending == Ending::exited && failure.empty(); }
};

// After each intermediate report; true stops the trial as pruned.
using ReportHandler = std::function<bool(const StepReport&)>;

CommandOutcome run_command_trial(const CommandRuntime& runtime, const tune::Params& params,
                                 int trial_number, const ReportHandler& on_report);

// Makes this process the reaper of its descendants' orphans (PR_SET_CHILD_SUBREAPER), so a
// program's background children stay reachable when it exits; false where the kernel refuses.
bool adopt_orphans();

// Where a trial runs: workdir resolved against base_dir (which it defaults to).
std::filesystem::path trial_workdir(const CommandRuntime& runtime);
// InputError before the study starts when the program (argv[0] without placeholders) is nowhere.
void check_program_exists(const CommandRuntime& runtime);

}  // namespace greentune::command
