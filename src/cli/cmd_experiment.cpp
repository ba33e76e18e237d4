// `greentune experiment CONFIG` and `greentune sweep CONFIG`: the paper's experiments (tuning
// strategies side by side, then an architecture sweep) on one store, then the report. Running the
// same command again continues an interrupted experiment.
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <memory>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "greentune/experiment/experiment.hpp"
#include "greentune/nn/runtime.hpp"
#include "greentune/tune/study.hpp"

namespace {

using namespace greentune;

struct ExperimentOptions {
  std::string config;
  std::string storage, report;
  bool no_energy = false;
  bool no_report = false;
};

std::atomic<tune::Study*> active_study{nullptr};

int run(const ExperimentOptions& options, bool sweep_only) {
  greentune::nn::restart_with_short_openmp_spin();  // first: it may start the process again
  const char* command = sweep_only ? "sweep" : "experiment";
  // Before any other thread starts, so Ctrl-C reaches the guard and not a worker thread.
  tune::SignalGuard guard([command](int signo) {
    if (tune::Study* study = active_study.load())
      study->fail_open_trials(signo == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM");
    fmt::print(stderr,
               "greentune {}: interrupted; the running round was marked failed. Run the same "
               "command again to continue.\n",
               command);
  });
  auto config = experiment::parse_experiment_config(options.config);
  if (!options.storage.empty()) config.storage = options.storage;
  if (!options.report.empty()) config.report_dir = options.report;
  experiment::RunOptions run_options;
  run_options.measure_energy = !options.no_energy;
  run_options.write_report = !options.no_report;
  run_options.sweep_only = sweep_only;
  run_options.active_study = &active_study;
  run_options.log = [](const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };
  auto summary = experiment::run_experiment(config, run_options);
  fmt::print("{} {}: {} studies, {} rounds run now, store {}\n", command, config.name,
             summary.studies, summary.trials_run, config.storage);
  if (!summary.report_html.empty()) fmt::print("report: {}\n", summary.report_html.string());
  // The results are stored: a failed report is said, not turned into a failed experiment.
  if (!summary.report_error.empty())
    fmt::print(stderr, "greentune {}: {}\n", command, summary.report_error);
  return 0;
}

CLI::App& add_common(CLI::App& app, ExperimentOptions& options) {
  app.add_option("config", options.config, "Experiment config (TOML), e.g. examples/quick.toml")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--storage", options.storage, "Override [experiment].storage");
  app.add_option("--report", options.report, "Override [experiment].report (the report folder)");
  app.add_flag("--no-energy", options.no_energy, "Do not measure energy");
  app.add_flag("--no-report", options.no_report, "Do not write the report at the end");
  return app;
}

const bool registered_experiment = greentune::cli::register_command(
    "experiment",
    "Run (or continue) the studies of an experiment config, its sweep, then write the report",
    [](CLI::App& app) {
      auto options = std::make_shared<ExperimentOptions>();
      add_common(app, *options);
      greentune::cli::set_examples(app, "greentune experiment examples/quick.toml",
                                   "greentune experiment examples/paper-rq1.toml --storage "
                                   "sqlite:rq1.db --report rq1-report");
      return greentune::cli::Runner([options] { return run(*options, false); });
    });

const bool registered_sweep = greentune::cli::register_command(
    "sweep", "Run (or continue) only the [sweep] of an experiment config, then write the report",
    [](CLI::App& app) {
      auto options = std::make_shared<ExperimentOptions>();
      add_common(app, *options);
      greentune::cli::set_examples(app, "greentune sweep examples/quick.toml",
                                   "greentune sweep examples/paper-rq2.toml --no-energy");
      return greentune::cli::Runner([options] { return run(*options, true); });
    });

}  // namespace
