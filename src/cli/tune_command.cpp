#include "cli/tune_command.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

#include "greentune/command/config.hpp"
#include "greentune/common/error.hpp"
#include "greentune/energy/discovery.hpp"
#include "greentune/store/open_storage.hpp"

namespace greentune::cli {

CommandTuning::CommandTuning(const tune::StudyConfig& config, const std::string& config_path,
                             const WorkerOptions& options)
    : options_(options), strategy_(config.strategy), sampler_options_(config.sampler) {
  if (options_.workers < 1 || options_.workers > 1024) {
    throw InputError(fmt::format("--workers {}: expected 1 to 1024", options_.workers));
  }
  auto runtime = std::make_shared<command::CommandRuntime>();
  runtime->config = command::parse_command_config_file(config_path, config.space);
  runtime->base_dir = std::filesystem::absolute(config_path).parent_path();
  runtime->study = config.name;
  runtime->stop = &stop_;
  command::check_program_exists(*runtime);

  if (!options_.gpus.empty()) {
    gpus_ = std::make_unique<command::GpuPool>(command::parse_gpu_list(options_.gpus),
                                               options_.trials_per_gpu);
    if (options_.workers > gpus_->slots()) {
      throw InputError(fmt::format(
          "--workers {} with {} GPU(s) x --trials-per-gpu {}: at most {} trials can run at once; "
          "lower --workers or raise --trials-per-gpu",
          options_.workers, gpus_->gpus().size(), options_.trials_per_gpu, gpus_->slots()));
    }
    runtime->gpus = gpus_.get();
  } else if (options_.trials_per_gpu != 1) {
    throw InputError("--trials-per-gpu: only with --gpus");
  }

  bool wants_joules = false;
  for (const auto& m : runtime->config.metrics) wants_joules |= m == "joules";
  if (options_.measure_energy) {
    // The estimate, where no counter exists, covers the whole machine: the ledger then hands each
    // trial its own share (energy_ledger.hpp).
    energy::EstimateOptions estimate;
    estimate.scope = energy::EstimateScope::machine;
    try {
      auto sources = energy::open_sources(energy::SystemPaths::from_environment(), estimate);
      if (!sources.empty()) {
        monitor_ = std::make_unique<energy::Monitor>(std::move(sources), energy::MonitorOptions{});
      }
    } catch (const std::exception& e) {
      spdlog::warn("no energy measurement for this study: {}", e.what());
    }
  }
  if (monitor_) {
    ledger_ = std::make_unique<command::EnergyLedger>(command::monitor_counters(*monitor_),
                                                      std::chrono::milliseconds(200));
    runtime->ledger = ledger_.get();
    std::string domains;
    for (const auto& d : ledger_->domains()) {
      domains +=
          fmt::format("{}{} ({}, {})", domains.empty() ? "" : ", ", d.name, d.source, d.kind);
    }
    energy_summary_ = fmt::format(
        "energy: {}; each trial is charged its share of the CPU time and its own GPUs", domains);
    if (gpus_) {
      runtime->gpu_domains = command::gpu_domains(gpus_->gpus(), ledger_->domains(),
                                                  std::getenv("CUDA_VISIBLE_DEVICES"));
    }
  } else if (wants_joules) {
    throw InputError(fmt::format(
        "{}: command.metrics has \"joules\", but energy is not measured here{}", config_path,
        options_.measure_energy ? " (no usable source; see greentune meters)" : " (--no-energy)"));
  } else {
    energy_summary_ = "energy: not measured";
  }
  // The program's background children stay reachable (counted and stopped) when it exits.
  if (!command::adopt_orphans()) spdlog::debug("PR_SET_CHILD_SUBREAPER refused");
  runtime_ = std::move(runtime);
}

CommandTuning::~CommandTuning() = default;

tune::Objective CommandTuning::objective() const {
  return command::make_command_objective(runtime_);
}

std::string CommandTuning::energy_summary() const {
  return energy_summary_;
}

std::string CommandTuning::trial_note(const tune::Trial& trial) {
  if (trial.state == tune::TrialState::complete) return "";
  std::string note = fmt::format("  trial {} {}: {}", trial.number, tune::to_string(trial.state),
                                 trial.error.empty() ? "no reason given" : trial.error);
  const auto& attributes = trial.attributes;
  if (attributes.is_object() && attributes.contains("trial_dir") &&
      attributes["trial_dir"].is_string()) {
    note += fmt::format(" (output: {}/output.log)", attributes["trial_dir"].get<std::string>());
  }
  return note + "\n";
}

void CommandTuning::worker_finished(std::exception_ptr error) {
  {
    std::lock_guard lock(mutex_);
    --running_workers_;
    if (error && !first_error_) first_error_ = error;
  }
  // A worker that stopped on an error stops the others: their trials are failed and retryable.
  if (error) stop_.trigger();
  changed_.notify_all();
}

void CommandTuning::run(tune::Study& study, const tune::StudyOptions& options,
                        const std::string& storage_url, int rounds,
                        const tune::ProgressCallback& progress) {
  std::mutex progress_mutex;
  tune::ProgressCallback serialised = [&](const tune::Progress& p) {
    std::lock_guard lock(progress_mutex);
    if (progress) progress(p);
  };
  auto work = [&](tune::Study& s) {
    std::exception_ptr error;
    try {
      s.optimize(objective(), rounds, serialised);
    } catch (const command::Interrupted&) {
      // The trial is already marked failed and retryable; the worker ends.
    } catch (...) {
      error = std::current_exception();
    }
    worker_finished(error);
  };
  {
    std::lock_guard lock(mutex_);
    running_workers_ = options_.workers;
  }
  if (options_.workers == 1) {
    work(study);
  } else {
    std::vector<std::thread> threads;
    for (int w = 0; w < options_.workers; ++w) {
      threads.emplace_back([&] {
        std::unique_ptr<tune::Storage> storage;
        std::unique_ptr<tune::Study> own;
        try {
          storage = store::open_storage(storage_url);
          own = std::make_unique<tune::Study>(*storage, options,
                                              tune::make_sampler(strategy_, sampler_options_));
        } catch (...) {
          worker_finished(std::current_exception());
          return;
        }
        work(*own);
      });
    }
    for (auto& t : threads) t.join();
  }
  std::unique_lock lock(mutex_);
  if (interrupted_) {
    // The signal guard's thread ends the process with the signal's exit status; returning here
    // would race it to exit with ours.
    changed_.wait(lock, [] { return false; });
  }
  if (first_error_) std::rethrow_exception(first_error_);
}

void CommandTuning::interrupt() {
  {
    std::lock_guard lock(mutex_);
    interrupted_ = true;
  }
  stop_.trigger();
  const double grace = runtime_ ? runtime_->config.grace_seconds : 10;
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, std::chrono::duration<double>(grace + 10),
                         [this] { return running_workers_ == 0; })) {
    spdlog::warn("some trials did not stop within {} s; they are marked failed as they are",
                 grace + 10);
  }
}

}  // namespace greentune::cli
