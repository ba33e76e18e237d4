// Our figures beside the paper's, like with like: first one line on what differs (rounds budget,
// repetitions, epochs, data set size, device, measured or estimated energy), then only figures
// that can be compared across those differences (shares of the budget, relative energy changes,
// effect sizes, ratios), never our CPU joules against the paper's GPU joules.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "greentune/report/paper_reference.hpp"
#include "greentune/report/sections.hpp"
#include "greentune/report/stats.hpp"
#include "greentune/report/study_setup.hpp"
#include "greentune/report/tuning_outcome.hpp"
#include "greentune/report/uncertainty.hpp"

namespace greentune::report {
namespace {

constexpr int kPaperRounds = 64;
constexpr int kPaperRepetitions = 8;  // RQ1: runs per round
constexpr int kPaperEpochs = 25;
constexpr const char* kPaperSweepRuns = "16 hyperparameter settings x 24 runs";

template <typename T>
std::string values_text(const std::set<T>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += '/';
    out += fmt::format("{}", v);
  }
  return out;
}

std::string device_text(const std::set<std::string>& devices) {
  std::string out;
  for (const auto& d : devices) {
    if (!out.empty()) out += '/';
    out += d == "cuda" ? "GPU" : d == "cpu" ? "CPU" : d;
  }
  return out;
}

std::string energy_text(const std::vector<tune::Trial>& trials) {
  std::set<std::string> kinds, domains;
  for (const auto& trial : trials)
    for (const auto& e : trial.energy) {
      kinds.insert(e.kind);
      domains.insert(e.name);
    }
  if (kinds.empty()) return "no energy recorded";
  std::string list;
  for (const auto& d : domains) list += (list.empty() ? "" : ", ") + d;
  return fmt::format("{} {}", values_text(kinds), list);
}

// "16 rounds (paper 64), 1 run per round (paper 8), ..." for the parts that differ.
std::string differences(const std::vector<const StudyRecord*>& studies, bool sweep) {
  std::set<int64_t> rounds, repetitions, epochs;
  std::set<std::string> images, devices;
  std::vector<tune::Trial> trials;
  for (const auto* study : studies) {
    auto setup = study_setup(*study);
    if (setup.rounds) rounds.insert(*setup.rounds);
    if (setup.repetitions) repetitions.insert(*setup.repetitions);
    if (setup.epochs) epochs.insert(*setup.epochs);
    if (auto text = training_images_text(setup); !text.empty()) images.insert(text);
    if (!setup.device.empty()) devices.insert(setup.device);
    trials.insert(trials.end(), study->trials.begin(), study->trials.end());
  }
  std::vector<std::string> parts;
  if (!sweep && !rounds.empty() && rounds != std::set<int64_t>{kPaperRounds})
    parts.push_back(
        fmt::format("{} rounds per study (paper {})", values_text(rounds), kPaperRounds));
  if (!sweep && !repetitions.empty() && repetitions != std::set<int64_t>{kPaperRepetitions})
    parts.push_back(fmt::format("{} training runs per round (paper {})", values_text(repetitions),
                                kPaperRepetitions));
  if (sweep && !repetitions.empty())
    parts.push_back(
        fmt::format("{} runs of one hyperparameter setting per configuration (paper "
                    "{})",
                    values_text(repetitions), kPaperSweepRuns));
  if (!epochs.empty() && epochs != std::set<int64_t>{kPaperEpochs})
    parts.push_back(fmt::format("{} epochs (paper {})", values_text(epochs), kPaperEpochs));
  if (!images.empty() && images != std::set<std::string>{"60,000"} &&
      images != std::set<std::string>{"50,000"})
    parts.push_back(
        fmt::format("{} training images (paper: the full training set, 60,000 "
                    "FashionMNIST or 50,000 CIFAR-10)",
                    values_text(images)));
  if (!devices.empty() && devices != std::set<std::string>{"cuda"})
    parts.push_back(fmt::format("{} (paper: one GTX 1080 GPU)", device_text(devices)));
  parts.push_back(fmt::format("energy {} (paper: GPU only, measured by nvidia-smi power x time)",
                              energy_text(trials)));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string share_text(double round, double budget) {
  return budget > 0 ? fmt::format("{:.0f} % of {:g}", round / budget * 100, budget) : "";
}

}  // namespace

void paper_section(Page& page, const std::vector<StudyRecord>& studies,
                   const ReportOptions& options) {
  page.html += "<section id=\"paper\">\n<h2>Side by side with the paper</h2>\n";
  page.paragraph("Published figures: " + std::string(kPaperCitation) + ".");
  std::vector<const StudyRecord*> tuning, sweeps;
  for (const auto& study : studies) (study.is_sweep() ? sweeps : tuning).push_back(&study);
  std::string differs;
  if (!tuning.empty()) differs += "tuning (RQ1): " + differences(tuning, false);
  if (!sweeps.empty())
    differs += std::string(differs.empty() ? "" : ". ") +
               "architecture sweep (RQ2): " + differences(sweeps, true);
  if (differs.empty()) differs = "nothing run yet";
  page.paragraph("What differs from the paper: " + differs +
                     ". Only figures that survive these differences are set side by side below.",
                 "finding");

  // RQ1: the optimum round. With another budget the round itself says little; its share of the
  // budget is the closer comparison, and the text says which is shown.
  std::map<std::string, std::vector<double>> rounds, robust, shares;
  std::set<int64_t> budgets;
  for (const auto* study : tuning) {
    auto o = outcome_of(*study, options.optimum_tolerance);
    const double budget = o.setup.rounds ? static_cast<double>(*o.setup.rounds)
                                         : static_cast<double>(study->trials.size());
    budgets.insert(static_cast<int64_t>(budget));
    if (o.optimum_round) {
      rounds[study->info.strategy].push_back(*o.optimum_round);
      shares[study->info.strategy].push_back(*o.optimum_round / budget * 100);
    }
    if (o.robust_round) robust[study->info.strategy].push_back(*o.robust_round);
  }
  const bool same_budget = budgets == std::set<int64_t>{kPaperRounds};
  std::vector<std::vector<std::string>> rows;
  auto number = [](double v) { return fmt::format("{:g}", std::round(v * 10) / 10); };
  auto percent = [](double v) { return fmt::format("{:.0f} %", v); };
  for (const auto& paper : paper_optimum_rounds()) {
    auto it = rounds.find(paper.strategy);
    if (it == rounds.end()) {
      rows.push_back(
          {paper.strategy,
           fmt::format("{:g} ({})", paper.mean_round, share_text(paper.mean_round, kPaperRounds)),
           "not run", "not run", "not run", "0"});
      continue;
    }
    rows.push_back(
        {paper.strategy,
         fmt::format("{:g} ({})", paper.mean_round, share_text(paper.mean_round, kPaperRounds)),
         median_iqr_text(quartiles(it->second), number),
         median_iqr_text(quartiles(shares[paper.strategy]), percent),
         median_iqr_text(quartiles(robust[paper.strategy]), number),
         std::to_string(it->second.size())});
  }
  page.html += "<h3>Optimum round per strategy (RQ1)</h3>\n";
  if (tuning.empty()) {
    page.paragraph("No tuning studies in this store: nothing to set beside Table III.", "note");
  } else {
    page.paragraph(
        same_budget
            ? "Same budget as the paper (64 rounds): the rounds compare directly, with the "
              "paper's definition of the optimum round in both columns."
            : fmt::format("Budgets differ ({} rounds here, {} in the paper): compare the optimum "
                          "round as a share of the budget, not the round itself. The paper's "
                          "definition of the optimum round is used on both sides; the robust one "
                          "is given for this store only.",
                          values_text(budgets), kPaperRounds),
        "note");
    page.html += table({"strategy", "paper: mean round (share of its 64)",
                        "this store: round, paper's definition (median, IQR)",
                        "this store: share of its budget (median, IQR)",
                        "this store: round, robust (median, IQR)", "studies"},
                       rows);
  }

  // RQ2: relative energy changes and effect sizes, which do not depend on the hardware's scale.
  rows.clear();
  std::map<std::string, std::vector<LayerEffect>> ours;
  std::map<std::string, std::vector<std::vector<double>>> conv_joules, conv_accuracy;  // 1 | 4
  for (const auto* study : sweeps) {
    std::vector<std::string> factors;
    std::vector<SweepRun> runs;
    for (const auto& trial : study->trials) {
      if (trial.state != tune::TrialState::complete || !trial.value()) continue;
      if (factors.empty())
        for (const auto& [name, value] : trial.params)
          if (name != "rep") factors.push_back(name);
      SweepRun run{{}, trial.joules, *trial.value()};
      for (const auto& f : factors) {
        auto it = trial.params.find(f);
        run.factors.push_back(it == trial.params.end() ? NAN : param_number(it->second));
      }
      runs.push_back(run);
      if (auto it = trial.params.find("conv"); it != trial.params.end()) {
        const std::string dataset = study_setup(*study).dataset;
        auto& joules = conv_joules[dataset];
        auto& accuracy = conv_accuracy[dataset];
        joules.resize(2);
        accuracy.resize(2);
        double conv = param_number(it->second);
        if (conv == 1 || conv == 4) {
          joules[conv == 4].push_back(trial.joules);
          accuracy[conv == 4].push_back(*trial.value());
        }
      }
    }
    if (runs.empty()) continue;
    for (auto& e : layer_effects(factors, runs)) ours[e.factor].push_back(e);
  }
  for (const auto& paper : paper_layer_effects()) {
    std::string change = "not run", eta = "not run";
    if (auto it = ours.find(paper.factor); it != ours.end()) {
      change.clear();
      eta.clear();
      for (const auto& e : it->second) {
        change += fmt::format("{}{:g} -> {:g}: {:+.1f}%", change.empty() ? "" : "; ", e.low_level,
                              e.high_level, e.percent_change);
        eta += (eta.empty() ? "" : "; ") +
               (e.test ? fmt::format("{:.3f}{}", e.test->eta_squared,
                                     e.test->eta_squared_clamped ? " (clamped at 0)" : "")
                       : std::string("n/a"));
      }
    }
    rows.push_back({paper.factor, paper.change,
                    fmt::format("{:+.1f}% | {:+.1f}%", paper.percent_fm, paper.percent_c10), change,
                    fmt::format("{:.3f} | {:.3f}", paper.eta_squared_fm, paper.eta_squared_c10),
                    eta});
  }
  page.html += "<h3>Energy increase per layer type (RQ2)</h3>\n";
  page.paragraph(
      "Relative changes and effect sizes, which compare across hardware; absolute joules do not "
      "(the paper measured a GPU, greentune here the CPU).",
      "note");
  page.html += table({"factor", "paper change", "paper energy increase (FM | C10)", "this store",
                      "paper eta squared (FM | C10)", "this store eta squared"},
                     rows);

  // Table V as ratios: conv 4 over conv 1, each side in its own joules.
  rows.clear();
  for (const auto& row : paper_conv_comparison()) {
    const std::string& dataset = row.dataset;
    std::string our_ratio = "not run", our_accuracy = "not run";
    if (auto it = conv_joules.find(dataset);
        it != conv_joules.end() && !it->second[0].empty() && !it->second[1].empty()) {
      const auto& acc = conv_accuracy[dataset];
      our_ratio = fmt::format("{:.2f} ({} vs {})", mean(it->second[1]) / mean(it->second[0]),
                              joules_text(mean(it->second[1])), joules_text(mean(it->second[0])));
      our_accuracy = fmt::format("{:.3f} vs {:.3f}", mean(acc[1]), mean(acc[0]));
    }
    rows.push_back(
        {row.dataset,
         fmt::format("{:.2f} ({:g} J vs {:g} J, GPU)", row.joules_conv4 / row.joules_conv1,
                     row.joules_conv4, row.joules_conv1),
         our_ratio,
         fmt::format("{:.3f} vs {:.3f}", row.mean_accuracy_conv4, row.mean_accuracy_conv1),
         our_accuracy});
  }
  page.html += "<h3>Paper Table V: 4 conv layers against 1</h3>\n";
  page.paragraph(
      "Energy as the ratio of mean joules per run, 4 conv layers over 1 (each side in its own "
      "joules). Accuracies compare only at the same epochs and data (see what differs above).",
      "note");
  page.html += table({"dataset", "paper: energy ratio", "this store: energy ratio",
                      "paper: mean accuracy (4 vs 1)", "this store: mean accuracy (4 vs 1)"},
                     rows) +
               "</section>\n";
}

}  // namespace greentune::report
