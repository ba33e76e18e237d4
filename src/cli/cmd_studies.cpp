// `greentune studies`: every study in a store, with its trials by state, best value and joules.
#include <fmt/format.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "cli/output_option.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/store/trial_row.hpp"
#include "greentune/tune/study.hpp"

namespace {

using namespace greentune;

struct StudiesOptions {
  std::string storage = "sqlite:greentune.db";
  cli::OutputTarget json;
};

struct Row {
  tune::StudyInfo info;
  int complete = 0, failed = 0, diverged = 0, pruned = 0, running = 0;
  std::optional<double> best;
  double joules = 0;
};

int run_studies(const StudiesOptions& options) {
  cli::prepare_outputs({&options.json});
  auto storage = store::open_storage(options.storage, false);
  std::vector<Row> rows;
  for (const auto& info : storage->studies()) {
    Row row;
    row.info = info;
    for (const auto& t : storage->trials(info.id)) {
      if (store::has_unreadable_record(t)) {
        // Counted as failed; stderr says which, so --json stays data.
        fmt::print(stderr,
                   "greentune studies: warning: study {}, trial {} is counted as failed: {}\n",
                   info.name, t.number, t.error);
      }
      if (std::isfinite(t.joules)) row.joules += t.joules;
      switch (t.state) {
        case tune::TrialState::complete:
          ++row.complete;
          if (t.value() && (!row.best || tune::better(*t.value(), *row.best, info.direction))) {
            row.best = t.value();
          }
          break;
        case tune::TrialState::failed:
          ++row.failed;
          break;
        case tune::TrialState::diverged:
          ++row.diverged;
          break;
        case tune::TrialState::pruned:
          ++row.pruned;
          break;
        case tune::TrialState::running:
          ++row.running;
          break;
      }
    }
    rows.push_back(row);
  }

  if (options.json.requested()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
      out.push_back(
          {{"name", r.info.name},
           {"strategy", r.info.strategy},
           {"objective", r.info.objective},
           {"direction", r.info.direction == tune::Direction::minimize ? "minimize" : "maximize"},
           {"group", r.info.group},
           {"trials",
            {{"complete", r.complete},
             {"failed", r.failed},
             {"diverged", r.diverged},
             {"pruned", r.pruned},
             {"running", r.running}}},
           {"best", r.best ? nlohmann::json(*r.best) : nlohmann::json(nullptr)},
           {"joules", r.joules}});
    }
    cli::write_output(options.json, out.dump(2) + "\n");
    if (options.json.to_stdout()) return 0;
  }
  if (rows.empty()) {
    fmt::print("no studies in {}\n", options.storage);
    return 0;
  }
  size_t width = 5;
  for (const auto& r : rows) width = std::max(width, r.info.name.size());
  fmt::print("{:<{}}  {:<8}  {:<9}  {:>8}  {:>6}  {:>8}  {:>7}  {:>12}  {:>12}\n", "study", width,
             "strategy", "objective", "complete", "failed", "diverged", "running", "best",
             "joules");
  for (const auto& r : rows) {
    fmt::print("{:<{}}  {:<8}  {:<9}  {:>8}  {:>6}  {:>8}  {:>7}  {:>12}  {:>12.6g}\n", r.info.name,
               width, r.info.strategy, r.info.objective, r.complete, r.failed, r.diverged,
               r.running, r.best ? fmt::format("{:.6g}", *r.best) : std::string("-"), r.joules);
  }
  return 0;
}

const bool registered =
    greentune::cli::register_command("studies", "List the studies of a store", [](CLI::App& app) {
      auto options = std::make_shared<StudiesOptions>();
      app.add_option("--storage", options->storage, "sqlite:PATH or postgresql://...");
      cli::add_output_option(app, "--json", options->json, "Print JSON instead of the table");
      cli::set_examples(app, "greentune studies --storage sqlite:out/quick.db",
                        "greentune studies --storage sqlite:command.db --json=studies.json");
      return [options] { return run_studies(*options); };
    });

}  // namespace
