#include "greentune/report/pruning_section.hpp"

#include <fmt/format.h>

#include <cmath>

#include "greentune/report/html.hpp"
#include "greentune/tune/budget.hpp"
#include "greentune/tune/pruner_config.hpp"
#include "greentune/tune/pruning_summary.hpp"

namespace greentune::report {
namespace {

std::string joules_text(double joules) {
  if (!std::isfinite(joules)) return "n/a";
  if (std::fabs(joules) >= 1e6) return fmt::format("{:.2f} MJ", joules / 1e6);
  if (std::fabs(joules) >= 1e4) return fmt::format("{:.2f} kJ", joules / 1e3);
  return fmt::format("{:.1f} J", joules);
}

// The store's config is untrusted: anything unreadable reads as "no pruner, no budget".
tune::PrunerConfig pruner_of(const nlohmann::json& config) {
  if (!config.is_object() || !config.contains("pruner")) return {};
  try {
    return tune::pruner_config_from_json(config["pruner"]);
  } catch (const std::exception&) {
    return {};
  }
}

double joules_key(const nlohmann::json& config, const char* key) {
  if (!config.is_object() || !config.contains(key) || !config[key].is_number()) return 0;
  const double value = config[key].get<double>();
  return std::isfinite(value) && value > 0 ? value : 0;
}

// The text check_running_trial gives a trial stopped by max_trial_joules.
bool stopped_by_trial_budget(const tune::Trial& trial) {
  return trial.state == tune::TrialState::failed && !trial.retry &&
         trial.error.rfind("energy budget", 0) == 0;
}

std::string budget_text(const PruningRow& row) {
  std::string text;
  if (row.max_joules > 0)
    text = fmt::format("study: {} of {}{}", joules_text(row.joules), joules_text(row.max_joules),
                       tune::study_budget_spent({row.max_joules, 0}, row.joules) ? " (spent)" : "");
  if (row.max_trial_joules > 0)
    text += fmt::format("{}trial: {}, {} trial(s) stopped", text.empty() ? "" : "; ",
                        joules_text(row.max_trial_joules), row.budget_failed);
  return text.empty() ? "-" : text;
}

}  // namespace

std::vector<PruningRow> pruning_rows(const std::vector<StudyRecord>& studies) {
  std::vector<PruningRow> rows;
  for (const auto& study : studies) {
    const tune::PrunerConfig pruner = pruner_of(study.config);
    PruningRow row;
    row.study = study.info.name;
    row.max_joules = joules_key(study.config, "max_joules");
    row.max_trial_joules = joules_key(study.config, "max_trial_joules");
    row.pruner = pruner.kind == tune::PrunerKind::none
                     ? std::string("none")
                     : fmt::format("{} (min_step {}, max_step {}, reduction {})",
                                   tune::to_string(pruner.kind), pruner.min_step, pruner.max_step,
                                   pruner.reduction);
    row.trials = static_cast<int>(study.trials.size());
    for (const auto& trial : study.trials) {
      row.complete += trial.state == tune::TrialState::complete ? 1 : 0;
      row.budget_failed += stopped_by_trial_budget(trial) ? 1 : 0;
    }
    row.joules = tune::study_joules_spent(study.trials);
    const auto savings = tune::estimate_pruning_savings(study.trials, pruner.max_step);
    row.pruned = savings.pruned_trials;
    row.pruned_joules = savings.pruned_joules;
    row.estimated_saved_joules = savings.estimated_saved_joules;
    row.estimate_basis = tune::savings_basis_text(savings);
    const bool shown = pruner.kind != tune::PrunerKind::none || row.pruned > 0 ||
                       row.max_joules > 0 || row.max_trial_joules > 0;
    if (shown) rows.push_back(std::move(row));
  }
  return rows;
}

std::string pruning_section_html(const std::vector<StudyRecord>& studies) {
  const auto rows = pruning_rows(studies);
  if (rows.empty()) return "";
  std::string html =
      "<section id=\"pruning\">\n<h2>Early stopping and energy budgets</h2>\n<table>\n<tr>"
      "<th>study</th><th>pruner</th><th>trials</th><th>complete</th><th>pruned</th>"
      "<th>energy of all trials</th><th>energy of pruned trials</th>"
      "<th>saved by pruning (estimate)</th><th>budgets</th></tr>\n";
  for (const auto& row : rows) {
    const std::string saved =
        row.estimate_basis.empty()
            ? std::string(row.pruned > 0 ? "no estimate" : "-")
            : fmt::format("about {} ({})", joules_text(row.estimated_saved_joules),
                          row.estimate_basis);
    html += "<tr>";
    for (const std::string& cell :
         {row.study, row.pruner, std::to_string(row.trials), std::to_string(row.complete),
          std::to_string(row.pruned), joules_text(row.joules), joules_text(row.pruned_joules),
          saved, budget_text(row)})
      html += "<td>" + html_escape(cell) + "</td>";
    html += "</tr>\n";
  }
  html +=
      "</table>\n<p class=\"note\">Energy of pruned trials is what they used, as their trials "
      "record it (measured or estimated, as the setup section says). The joules saved are an "
      "estimate, not a measurement: the steps each pruned trial did not run (up to the pruner's "
      "max_step) times the median joules per step of the study's complete trials (of its pruned "
      "trials when none is complete). A study budget counts every trial's joules, failed ones "
      "included; a trial stopped for the trial budget is failed with \"energy budget\".</p>\n"
      "</section>\n";
  return html;
}

}  // namespace greentune::report
