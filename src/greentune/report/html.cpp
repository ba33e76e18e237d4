#include "greentune/report/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "greentune/common/atomic_file.hpp"
#include "greentune/report/export.hpp"
#include "greentune/report/load_check.hpp"
#include "greentune/report/pruning_section.hpp"
#include "greentune/report/sections.hpp"
#include "greentune/tune/study.hpp"
#include "greentune/tune/study_objectives.hpp"

namespace greentune::report {
namespace {

constexpr double kDefaultGramsPerKwh = 475.0;  // as energy::CarbonSettings defaults

struct Carbon {
  double grams_per_kwh = kDefaultGramsPerKwh;
  double pue = 1.0;
  bool recorded = false;
};

Carbon carbon_of(const std::vector<StudyRecord>& studies) {
  Carbon carbon;
  for (const auto& study : studies) {
    const auto& config = study.config;
    if (!config.contains("carbon") || !config["carbon"].is_object()) continue;
    const auto& c = config["carbon"];
    if (c.contains("grams_per_kwh") && c["grams_per_kwh"].is_number())
      carbon.grams_per_kwh = c["grams_per_kwh"].get<double>();
    if (c.contains("pue") && c["pue"].is_number()) carbon.pue = c["pue"].get<double>();
    carbon.recorded = true;
    break;
  }
  return carbon;
}

}  // namespace

void setup_section(Page& page, const std::vector<StudyRecord>& studies,
                   const ReportOptions& options) {
  std::vector<tune::Trial> all;
  for (const auto& study : studies) all.insert(all.end(), study.trials.begin(), study.trials.end());
  std::vector<const tune::Trial*> finished;
  for (const auto& trial : all)
    if (tune::counts_as_round(trial.state)) finished.push_back(&trial);
  page.html += "<section id=\"setup\">\n<h2>Machine and energy accounting</h2>\n";
  std::vector<std::pair<std::string, std::string>> machine;
  for (const auto& study : studies)
    if (machine = machine_fields(study.config); !machine.empty()) break;
  if (machine.empty()) {
    page.html += "<p>The studies recorded no machine description (CPU, GPU, BLAS, threads).</p>\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (auto& [key, value] : machine) rows.push_back({key, value});
    page.html += "<h3>Machine the runs were measured on</h3>\n" + table({"field", "value"}, rows);
  }
  Carbon carbon = carbon_of(studies);
  double joules = 0;
  for (const auto& trial : all) joules += trial.joules;
  double kwh = joules / 3.6e6;
  page.html += "<h3>Energy</h3>\n";
  page.html += table(
      {"item", "value"},
      {{"energy figures", energy_provenance(all)},
       {"total energy of all trials", joules_text(joules) + fmt::format(" ({:.6f} kWh)", kwh)},
       {"carbon intensity", fmt::format("{:g} gCO2e/kWh{}", carbon.grams_per_kwh,
                                        carbon.recorded ? "" : " (default; not recorded)")},
       {"PUE", fmt::format("{:g}{}", carbon.pue, carbon.recorded ? "" : " (default)")},
       {"machine load while the trials ran", load_sentence(count_load(finished))},
       {"emissions (kWh x PUE x intensity)",
        fmt::format("{:.3f} gCO2e", kwh * carbon.pue * carbon.grams_per_kwh)},
       {"store", options.store_label.empty() ? "(not given)" : options.store_label}});
  page.html +=
      "<p class=\"note\">Measured figures come from hardware counters (RAPL, NVML); estimated "
      "ones from a power model where no counter was readable. Each chart below names which. " +
      html_escape(load_rule_text()) + "</p>\n</section>\n";
}

void studies_section(Page& page, const std::vector<StudyRecord>& studies) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& study : studies) {
    std::map<std::string, int> states;
    for (const auto& trial : study.trials) ++states[tune::to_string(trial.state)];
    std::string state_text;
    for (const auto& [state, count] : states)
      state_text += fmt::format("{}{} {}", state_text.empty() ? "" : ", ", count, state);
    rows.push_back({std::to_string(study.info.id), study.info.name,
                    study.info.group.empty() ? "-" : study.info.group, study.info.strategy,
                    study.info.objective, study.maximize() ? "maximize" : "minimize",
                    state_text.empty() ? "no trials" : state_text});
  }
  page.html +=
      "<section id=\"studies\">\n<h2>Studies in the store</h2>\n" +
      table({"id", "study", "experiment", "strategy", "objective", "direction", "trials"}, rows) +
      "<p>Every trial is in <a href=\"trials.csv\">trials.csv</a> and <a "
      "href=\"trials.json\">trials.json</a> beside this file.</p>\n</section>\n";
}

namespace {

constexpr const char* kStyle = R"(
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { border-bottom: 2px solid #2a7; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #eef6f0; }
figure.chart { margin: 1.5em 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; }
.note { color: #555; font-size: 0.9em; }
.finding { background: #eef6f0; padding: 0.5em; }
)";

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_report_html(const std::vector<StudyRecord>& studies,
                               const ReportOptions& options, int* chart_count) {
  Page page;
  size_t trials = 0;
  for (const auto& study : studies) trials += study.trials.size();
  page.html =
      std::string("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n") +
      "<title>greentune report</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" +
      "<h1>greentune report</h1>\n";
  page.html += fmt::format(
      "<p>{} studies, {} trials. Written by greentune {} from the store "
      "alone; nothing was re-run.</p>\n",
      studies.size(), trials, GREENTUNE_VERSION);
  setup_section(page, studies, options);

  std::vector<std::string> groups;
  for (const auto& study : studies)
    if (std::find(groups.begin(), groups.end(), study.info.group) == groups.end())
      groups.push_back(study.info.group);
  for (const auto& group : groups) {
    std::vector<const StudyRecord*> tuning, sweeps, members;
    for (const auto& study : studies) {
      if (study.info.group != group) continue;
      members.push_back(&study);
      (study.is_sweep() ? sweeps : tuning).push_back(&study);
    }
    const std::string title = group.empty() ? std::string("Studies outside any experiment") : group;
    page.html +=
        "<section class=\"experiment\">\n<h2>Experiment: " + html_escape(title) + "</h2>\n";
    if (!tuning.empty()) tuning_section(page, title, tuning, options);
    for (auto* study : tuning)
      if (tune::objectives_of(study->info).multi_objective()) front_section(page, *study, options);
    for (auto* sweep : sweeps) sweep_section(page, *sweep, options);
    epoch_section(page, title, members);
    page.html += "</section>\n";
  }
  paper_section(page, studies, options);
  page.html += pruning_section_html(studies);
  studies_section(page, studies);
  page.html += "</body>\n</html>\n";
  if (chart_count) *chart_count = page.charts;
  return page.html;
}

ReportFiles write_report(tune::Storage& storage, const std::filesystem::path& out_dir,
                         const ReportOptions& options) {
  auto studies = load_studies(storage);
  ReportFiles files;
  files.html = out_dir / "report.html";
  files.csv = out_dir / "trials.csv";
  files.json = out_dir / "trials.json";
  files.studies = static_cast<int>(studies.size());
  for (const auto& study : studies) files.trials += static_cast<int>(study.trials.size());
  // Everything is rendered before anything is written, so a failing chart leaves no new files.
  std::string html = render_report_html(studies, options, &files.charts);
  std::string csv = trials_csv(studies);
  std::string json = trials_json(studies);
  // The report's folder is its output, made when missing (unlike a --json file's folder).
  write_file_atomically(files.csv, csv, MissingFolder::create);
  write_file_atomically(files.json, json, MissingFolder::create);
  write_file_atomically(files.html, html, MissingFolder::create);
  return files;
}

}  // namespace greentune::report
