#pragma once
// What `greentune tune` adds for the command objective: the energy ledger shared by the trials,
// --gpus, and --workers (N trials at once, each worker thread with its own store connection and
// Study, since a Storage connection serves one thread at a time).
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "greentune/command/objective.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/tune/config.hpp"
#include "greentune/tune/study.hpp"

namespace greentune::cli {

struct WorkerOptions {
  int workers = 1;
  std::string gpus;  // "": trials see the GPUs greentune sees
  int trials_per_gpu = 1;
  bool measure_energy = true;
};

class CommandTuning {
 public:
  // Validates the [command] table and the options (InputError) and opens the energy sources.
  CommandTuning(const tune::StudyConfig& config, const std::string& config_path,
                const WorkerOptions& options);
  ~CommandTuning();
  CommandTuning(const CommandTuning&) = delete;
  CommandTuning& operator=(const CommandTuning&) = delete;

  tune::Objective objective() const;
  bool measures_energy() const { return ledger_ != nullptr; }
  int workers() const { return options_.workers; }
  std::string energy_summary() const;  // one line: what the trials' energy comes from

  // Runs the study with the workers: one worker runs on `study` in this thread; more run in
  // threads, each on its own Study over its own connection to `storage_url`. Progress callbacks
  // are serialised. Rethrows the first worker's error after stopping the others' trials.
  void run(tune::Study& study, const tune::StudyOptions& options, const std::string& storage_url,
           int rounds, const tune::ProgressCallback& progress);

  // "  trial 3 failed: exit code 1 (log: ...)\n" for a trial that did not complete, else "".
  static std::string trial_note(const tune::Trial& trial);

  // From the signal guard's thread: stops every running program (SIGTERM, then SIGKILL after
  // grace_seconds) and waits for the workers to mark their trials failed and retryable.
  void interrupt();

 private:
  void worker_finished(std::exception_ptr error);

  WorkerOptions options_;
  std::string strategy_;
  tune::SamplerOptions sampler_options_;
  std::unique_ptr<energy::Monitor> monitor_;
  std::unique_ptr<command::EnergyLedger> ledger_;
  std::unique_ptr<command::GpuPool> gpus_;
  command::StopSwitch stop_;
  std::shared_ptr<command::CommandRuntime> runtime_;
  std::string energy_summary_;

  std::mutex mutex_;
  std::condition_variable changed_;
  int running_workers_ = 0;
  bool interrupted_ = false;
  std::exception_ptr first_error_;
};

}  // namespace greentune::cli
