#pragma once
// The trial record: the one typed contract between what runs a trial (objectives, the study),
// what keeps it (store) and what reads it (report, CLI). Everything a trial is stored with is a
// field here; `attributes` is the only free-form part and nothing in greentune reads it.
//
// JSON form (to_json / trial_from_json), as `greentune trials --json` prints it and stores keep it:
//   {"id", "number", "state", "value", "values": [..], "params": {..},
//    "intermediate": [{"step", "values": [..], "seconds", "joules"}, ..],
//    "seconds", "joules", "energy": [{"name", "kind", "source", "joules"}, ..],
//    "started_at", "finished_at", "heartbeat_at", "host", "pid", "pid_namespace",
//    "retry", "error", "conditions": {..}, "training": {..} | null, "attributes": {..}}
// "value" is value() (null when none), written for readers' convenience and ignored on reading.
// JSON has no NaN or infinity: a non-finite number is written as null and read back as NaN (an
// unset optional stays null). Any key may be missing on reading (it keeps its default), so a field
// added later needs no store migration; unknown keys are ignored; a key of the wrong type is an
// InputError naming the key and the expected type.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/space.hpp"

namespace greentune::tune {

enum class TrialState { running, complete, failed, diverged, pruned };
const char* to_string(TrialState state);
TrialState trial_state_from_string(const std::string& text);  // InputError on unknown text

enum class Direction { minimize, maximize };

// A value reported while the trial runs (after an epoch, a step of a user program).
struct IntermediateReport {
  int step = 0;                // 1-based, as the objective counts (epochs for training)
  std::vector<double> values;  // one per objective, in the study's order
  // Cumulative since the trial started (not per step), so the last report says what the trial
  // had used by then; NaN when not measured.
  double seconds = 0;
  double joules = 0;
};

// Joules of one energy domain over the whole trial.
struct DomainEnergy {
  std::string name;    // "package-0", "dram-0", "gpu-0", ...
  std::string kind;    // "measured" | "estimated"
  std::string source;  // "powercap", "perf", "nvml", "estimate", ...
  double joules = 0;
};

// The state of the machine while the trial ran, so a comparison can tell the strategy from the
// load. Unset when not recorded.
struct RunConditions {
  std::optional<double> load_average_start;  // 1-minute load average when the trial started
  std::optional<double> load_average_end;    // ... and when it finished
  std::optional<double> other_cpu_seconds;   // CPU seconds of other processes during the run
  std::optional<double> cpu_share;           // share of the machine's CPU time the trial got, 0..1
};

// One training run of a round that is repeated (experiment `repetitions`, sweep cells).
struct Repetition {
  uint64_t seed = 0;
  double value = 0;  // the run's objective (best validation accuracy); NaN: none
  std::optional<double> test_accuracy;
  double seconds = 0;
  double joules = 0;
  bool diverged = false;
};

// What a training run (the train objective, experiments, sweeps) adds to its trial. Per-epoch
// figures are the trial's intermediate reports.
struct TrainingFigures {
  std::string model_spec;
  std::optional<int64_t> parameter_count;
  std::optional<double> test_accuracy;  // mean over repetitions when repeated
  // Best validation accuracy of the run (mean over repetitions when repeated), so a study that
  // optimises other metrics can still constrain or show it.
  std::optional<double> validation_accuracy;
  // Joules attributed to each layer type by its share of forward+backward time (not measured per
  // layer), summed over epochs, averaged over repetitions; empty when layers were not profiled.
  std::map<std::string, double> layer_joules;
  // Every run of a repeated round, in order; the trial's value is the mean of their values.
  // Empty when the round was one run.
  std::vector<Repetition> repetitions;
};

struct Trial {
  int64_t id = 0;  // storage-wide id
  int number = 0;  // 1-based position in the study (0 until the store claims it)
  TrialState state = TrialState::running;
  // One value per objective, in the study's order; empty when the trial has none (running,
  // failed, diverged, pruned before a value).
  std::vector<double> values;
  Params params;
  std::vector<IntermediateReport> intermediate;  // by step
  double seconds = 0;                            // wall time of the run
  double joules = 0;                             // the trial's energy (subzones not added twice)
  std::vector<DomainEnergy> energy;
  double started_at = 0;   // unix seconds
  double finished_at = 0;  // 0 while running
  double heartbeat_at = 0;
  std::string host;
  int64_t pid = 0;            // of the process running it (0: unknown)
  std::string pid_namespace;  // /proc/self/ns/pid of that process, so only it judges the pid
  // Failed through no fault of its point (worker died, interrupted): the point is proposed again.
  bool retry = false;
  std::string error;  // why the trial failed, diverged or was pruned
  RunConditions conditions;
  std::optional<TrainingFigures> training;
  nlohmann::json attributes = nlohmann::json::object();  // user-defined; greentune reads none

  // The first objective's value when it is there and finite (single-objective code reads this).
  std::optional<double> value() const;
};

nlohmann::json to_json(const Trial& trial);
// `where` prefixes messages (e.g. "study store x.db, trial id 3"); InputError on a wrong type.
Trial trial_from_json(const nlohmann::json& json, const std::string& where = "trial");

nlohmann::json params_to_json(const Params& params);
// Numbers keep their JSON type (2.0 a double, 2 an integer); null reads as NaN.
Params params_from_json(const nlohmann::json& json, const std::string& where);

// What a trial had used when it ends without a result of its own (interrupted, stale): the time
// and energy of its last intermediate report, NaN joules read as 0.
struct Usage {
  double seconds = 0;
  double joules = 0;
  std::vector<DomainEnergy> energy;
};
Usage usage_from_reports(const Trial& trial);

}  // namespace greentune::tune
