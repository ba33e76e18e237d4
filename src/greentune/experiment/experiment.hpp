#pragma once
// `greentune experiment CONFIG`: several studies on one store that differ only in strategy (and,
// optionally, model or dataset), each round repeated and averaged, then an architecture sweep if
// the config has one, then the report. Everything lives in the store, so running the same command
// again continues where an interrupted run stopped.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "greentune/energy/monitor.hpp"
#include "greentune/experiment/sweep.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/tune/config.hpp"

namespace greentune::tune {
class Study;
}

namespace greentune::experiment {

struct ExperimentConfig {
  std::string name;
  std::string storage = "sqlite:greentune.db";
  std::vector<std::string> strategies = {"bayes", "random", "grid"};
  std::vector<std::string> models;    // empty: [train].model only
  std::vector<std::string> datasets;  // empty: [train].dataset only
  int rounds = 20;
  int repetitions = 1;  // training runs per round (the paper: 8); value = their mean
  uint64_t seed = 1234;
  double tolerance = 0.005;
  std::filesystem::path report_dir;  // "" : <config name>-report beside the working directory
  double grams_per_kwh = 475.0;
  double pue = 1.0;
  // One study config per strategy x model x dataset, validated by tune's parser.
  std::vector<tune::StudyConfig> studies;
  std::optional<SweepConfig> sweep;
};

// Throws InputError naming the file, key and expectation.
ExperimentConfig parse_experiment_config(const std::filesystem::path& toml_file);

// What the experiment writes into every study's config_json beside tune's own fields: the
// machine (cpu, gpu, blas, threads, allocator, torch), carbon intensity and PUE, repetitions.
nlohmann::json run_context(const ExperimentConfig& config);

// Called after every finished round (study name, round, rounds, value text, joules).
using RoundLog = std::function<void(const std::string& line)>;

struct RunOptions {
  bool measure_energy = true;
  bool write_report = true;
  bool sweep_only = false;  // `greentune sweep`: only the [sweep] part
  RoundLog log;
  // Set to the study while it runs, so a signal handler can fail its running trial.
  std::atomic<tune::Study*>* active_study = nullptr;
};

struct RunSummary {
  std::filesystem::path report_html;
  int studies = 0;
  int trials_run = 0;  // trials this call finished
};

RunSummary run_experiment(const ExperimentConfig& config, const RunOptions& options);

}  // namespace greentune::experiment
