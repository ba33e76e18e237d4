// `greentune trials STUDY`: one study's trials as a table, CSV or JSON.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "cli/output_option.hpp"
#include "greentune/common/csv.hpp"
#include "greentune/common/error.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/store/trial_row.hpp"

namespace {

using namespace greentune;

struct TrialsOptions {
  std::string study;
  std::string storage = "sqlite:greentune.db";
  cli::OutputTarget csv;
  cli::OutputTarget json;
};

std::string csv_field(const std::string& text) {
  return csv_cell(text);
}

std::string value_text(const std::optional<double>& value) {
  return value ? fmt::format("{:.10g}", *value) : std::string();
}

int run_trials(const TrialsOptions& options) {
  cli::prepare_outputs({&options.csv, &options.json});
  auto storage = store::open_storage(options.storage, false);
  auto info = storage->find_study(options.study);
  if (!info) {
    std::string names;
    for (const auto& s : storage->studies()) names += (names.empty() ? "" : ", ") + s.name;
    throw InputError(fmt::format("no study '{}' in {}; it has: {}", options.study, options.storage,
                                 names.empty() ? "no studies" : names));
  }
  auto trials = storage->trials(info->id);
  // Damaged rows are listed as failed trials; say which, on stderr so --json and --csv stay data.
  for (const auto& t : trials)
    if (store::has_unreadable_record(t))
      fmt::print(stderr, "greentune trials: warning: trial {} is listed as failed: {}\n", t.number,
                 t.error);

  if (options.json.requested()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : trials) out.push_back(tune::to_json(t));
    cli::write_output(options.json, out.dump(2) + "\n");
  }
  std::set<std::string> names;
  for (const auto& t : trials) {
    for (const auto& [name, value] : t.params) names.insert(name);
  }
  if (options.csv.requested()) {
    std::string header = "number,state,value,seconds,joules,host,started_at,finished_at";
    for (const auto& n : names) header += "," + csv_field(n);
    std::string table = header + "\n";
    for (const auto& t : trials) {
      std::string line = fmt::format("{},{},{},{:.6f},{:.6f},{},{:.3f},{:.3f}", t.number,
                                     tune::to_string(t.state), value_text(t.value()), t.seconds,
                                     t.joules, csv_field(t.host), t.started_at, t.finished_at);
      for (const auto& n : names) {
        auto it = t.params.find(n);
        line +=
            "," + (it == t.params.end() ? std::string() : csv_field(tune::to_string(it->second)));
      }
      table += line + "\n";
    }
    cli::write_output(options.csv, table);
  }
  if (options.csv.to_stdout() || options.json.to_stdout()) return 0;
  fmt::print("{:>6}  {:<8}  {:>12}  {:>9}  {:>12}  {}\n", "number", "state", "value", "seconds",
             "joules", "params");
  for (const auto& t : trials) {
    std::string params;
    for (const auto& [name, value] : t.params) {
      params += (params.empty() ? "" : " ") + name + "=" + tune::to_string(value);
    }
    fmt::print("{:>6}  {:<8}  {:>12}  {:>9.3f}  {:>12.6g}  {}\n", t.number,
               store::has_unreadable_record(t) ? "damaged" : tune::to_string(t.state),
               t.value() ? fmt::format("{:.6g}", *t.value()) : std::string("-"), t.seconds,
               t.joules, params);
  }
  return 0;
}

const bool registered =
    greentune::cli::register_command("trials", "List the trials of one study", [](CLI::App& app) {
      auto options = std::make_shared<TrialsOptions>();
      app.add_option("study", options->study, "Study name")->required();
      app.add_option("--storage", options->storage, "sqlite:PATH or postgresql://...");
      cli::add_output_option(app, "--csv", options->csv, "Print CSV instead of the table");
      cli::add_output_option(app, "--json", options->json,
                             "Print JSON (a list of trials) instead of the table");
      cli::set_examples(app, "greentune trials fashion-mnist-mlp --storage sqlite:command.db",
                        "greentune trials fashion-mnist-mlp --csv=trials.csv --json");
      return [options] { return run_trials(*options); };
    });

}  // namespace
