// `greentune pareto STUDY`: the study's non-dominated trials (every objective, the measured
// joules, the parameters), its knee and the cheapest trial within --within of the best first
// objective, as a table or JSON. Reads the store only: no training code is loaded.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "cli/output_option.hpp"
#include "greentune/common/error.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/tune/config.hpp"
#include "greentune/tune/front.hpp"
#include "greentune/tune/study_objectives.hpp"

namespace {

using namespace greentune;

struct ParetoOptions {
  std::string study;
  std::string storage = "sqlite:greentune.db";
  std::string within = "0.01";
  cli::OutputTarget json;
};

std::string number_text(double value) {
  return fmt::format("{:.6g}", value);
}

std::string params_text(const tune::Params& params) {
  std::string out;
  for (const auto& [name, value] : params)
    out += (out.empty() ? "" : " ") + name + "=" + tune::to_string(value);
  return out;
}

bool has_metric(const tune::StudyObjectives& objectives, const std::string& name) {
  return std::find(objectives.metrics.begin(), objectives.metrics.end(), name) !=
         objectives.metrics.end();
}

nlohmann::json trial_json(const tune::Trial& trial) {
  return {{"number", trial.number},
          {"values", trial.values},
          {"params", tune::params_to_json(trial.params)},
          {"joules", trial.joules},
          {"seconds", trial.seconds}};
}

int run_pareto(const ParetoOptions& options) {
  cli::prepare_outputs({&options.json});
  const auto within = tune::parse_closeness(options.within);
  auto storage = store::open_storage(options.storage, false);
  auto info = storage->find_study(options.study);
  if (!info) {
    std::string names;
    for (const auto& s : storage->studies()) names += (names.empty() ? "" : ", ") + s.name;
    throw InputError(fmt::format("no study '{}' in {}; it has: {}", options.study, options.storage,
                                 names.empty() ? "no studies" : names));
  }
  const auto objectives = tune::objectives_of(*info);
  const auto trials = storage->trials(info->id);
  const auto front = tune::pareto_front(trials, objectives);
  const auto cheapest = tune::cheapest_within(trials, objectives, within);
  const auto& first = objectives.metrics.front();

  if (options.json.requested()) {
    nlohmann::json out = tune::objectives_to_json(objectives);
    out["study"] = info->name;
    out["trials"] = trials.size();
    out["complete"] = front.complete;
    out["feasible"] = front.feasible;
    out["hypervolume"] = front.hypervolume;
    out["reference"] = front.reference;
    out["reference_given"] = front.reference_given;
    out["front"] = nlohmann::json::array();
    for (size_t i : front.members) out["front"].push_back(trial_json(trials[i]));
    out["knee"] = front.knee ? nlohmann::json(trials[*front.knee].number) : nullptr;
    out["cheapest_within"] = {
        {"within", tune::to_string(within)},
        {"objective", first},
        {"trial", cheapest ? nlohmann::json(trials[*cheapest].number) : nullptr}};
    cli::write_output(options.json, out.dump(2) + "\n");
    if (options.json.to_stdout()) return 0;
  }

  std::string described;
  for (size_t d = 0; d < objectives.metrics.size(); ++d)
    described += fmt::format("{}{} ({})", d ? ", " : "", objectives.metrics[d],
                             tune::to_string(objectives.directions[d]));
  fmt::print("study {}: {}; {} trials, {} complete", info->name, described, trials.size(),
             front.complete);
  for (const auto& c : objectives.constraints) fmt::print(", {}", tune::to_string(c));
  if (objectives.constrained()) fmt::print(": {} feasible", front.feasible);
  fmt::print("\n");
  if (front.members.empty()) {
    fmt::print("front: empty (no complete trial{})\n",
               objectives.constrained() ? " satisfies the constraints" : "");
    return 0;
  }
  std::string reference;
  for (double r : front.reference) reference += (reference.empty() ? "" : ", ") + number_text(r);
  fmt::print("front: {} trial(s), hypervolume {} (reference {}: {})\n", front.members.size(),
             number_text(front.hypervolume), front.reference_given ? "given" : "inferred",
             reference);

  const bool joules_column = !has_metric(objectives, "joules");
  std::string header = fmt::format("{:>6}", "number");
  for (const auto& m : objectives.metrics) header += fmt::format("  {:>12}", m);
  if (joules_column) header += fmt::format("  {:>12}", "joules");
  fmt::print("{}  params\n", header);
  for (size_t i : front.members) {
    const auto& t = trials[i];
    std::string line = fmt::format("{:>6}", t.number);
    for (size_t d = 0; d < objectives.metrics.size(); ++d) {
      const auto v = tune::objective_values(t, objectives);
      line += fmt::format("  {:>12}", v ? number_text((*v)[d]) : std::string("-"));
    }
    if (joules_column) line += fmt::format("  {:>12}", number_text(t.joules));
    fmt::print("{}  {}\n", line, params_text(t.params));
  }
  auto describe = [&](size_t i) {
    const auto v = tune::objective_values(trials[i], objectives);
    std::string out;
    for (size_t d = 0; v && d < v->size(); ++d)
      out += fmt::format("{}{} {}", d ? ", " : "", objectives.metrics[d], number_text((*v)[d]));
    if (joules_column) out += fmt::format(", {} J", number_text(trials[i].joules));
    return fmt::format("trial {} ({})", trials[i].number, out);
  };
  if (front.knee) fmt::print("knee: {}\n", describe(*front.knee));
  fmt::print("cheapest within {} of the best {}: {}\n", tune::to_string(within), first,
             cheapest ? describe(*cheapest) : std::string("none (no energy recorded)"));
  return 0;
}

const bool registered = greentune::cli::register_command(
    "pareto", "The non-dominated trials of a study, its knee and the cheapest good one",
    [](CLI::App& app) {
      auto options = std::make_shared<ParetoOptions>();
      app.add_option("study", options->study, "Study name")->required();
      app.add_option("--storage", options->storage,
                     "sqlite:PATH or postgresql://... (default sqlite:greentune.db)");
      app.add_option("--within", options->within,
                     "Cheapest trial within this of the best first objective: an amount in its "
                     "units (0.01) or a share of the best value (1%)");
      cli::add_output_option(app, "--json", options->json,
                             "Print the front as JSON on stdout instead of a table");
      cli::set_examples(app, "greentune pareto my-model --storage sqlite:out/studies.db",
                        "greentune pareto my-model --within 1% --json=front.json");
      return [options] { return run_pareto(*options); };
    });

}  // namespace
