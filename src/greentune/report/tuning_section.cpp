// The tuning strategies of one experiment, compared like for like: how many rounds each needed to
// reach its optimum (the trial-count view, both definitions), how much energy it needed to reach
// a given accuracy (the energy view), with the spread over seeds, whether the arms' joules per
// trial differ by more than their spread, and how many trials ran under load.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "greentune/report/load_check.hpp"
#include "greentune/report/paper_reference.hpp"
#include "greentune/report/sections.hpp"
#include "greentune/report/spread_curves.hpp"
#include "greentune/report/stats.hpp"
#include "greentune/report/tuning_outcome.hpp"
#include "greentune/report/uncertainty.hpp"
#include "greentune/tune/study.hpp"

namespace greentune::report {
namespace {

constexpr int kPaperRounds = 64;  // the paper's budget per study (Table III)

struct Arm {
  std::string name;  // the strategy
  std::vector<const StudyOutcome*> outcomes;
};

std::string median_text(const std::vector<double>& xs, const NumberFormat& format) {
  auto q = quartiles(xs);
  if (q.n == 1) return fmt::format("{} (n = 1)", format(q.median));
  return median_iqr_text(q, format);
}

std::string round_number(double r) {
  return fmt::format("{:g}", std::round(r * 10) / 10);
}

ErrorBar iqr_bar(const std::vector<double>& xs) {
  auto q = quartiles(xs);
  if (q.n < 2) return {};
  return {q.q1, q.q3};
}

std::vector<double> present(const std::vector<const StudyOutcome*>& outcomes,
                            std::optional<int> StudyOutcome::*field) {
  std::vector<double> out;
  for (const auto* o : outcomes)
    if (o->*field) out.push_back(static_cast<double>(*(o->*field)));
  return out;
}

std::vector<double> finite_of(const std::vector<const StudyOutcome*>& outcomes,
                              double StudyOutcome::*field) {
  std::vector<double> out;
  for (const auto* o : outcomes)
    if (std::isfinite(o->*field)) out.push_back(o->*field);
  return out;
}

// The trials whose figures the comparison uses: the rounds (complete, diverged, pruned).
std::vector<const tune::Trial*> round_trials(const std::vector<const StudyRecord*>& studies) {
  std::vector<const tune::Trial*> out;
  for (const auto* study : studies)
    for (const auto& trial : study->trials)
      if (counts_as_round(trial.state)) out.push_back(&trial);
  return out;
}

// Did the studies run interleaved? Ordered by start time, the rounds (a counted trial's place
// among its study's counted trials) must never go back.
bool started_interleaved(const std::vector<const StudyRecord*>& studies) {
  std::vector<std::pair<double, int>> started;
  for (const auto* study : studies) {
    int round = 0;
    for (const auto& trial : study->trials)
      if (counts_as_round(trial.state)) started.emplace_back(trial.started_at, ++round);
  }
  std::sort(started.begin(), started.end());
  for (size_t i = 1; i < started.size(); ++i)
    if (started[i].second < started[i - 1].second) return false;
  return true;
}

// One line per arm: the study's own curve, or with several studies the median with a band from
// the lowest to the highest.
void add_curves(XYChart& chart, const Arm& arm, const std::vector<StepCurve>& curves,
                const std::vector<std::string>& labels, Mark mark) {
  if (curves.size() == 1) {
    XYSeries series{labels.front(), arm.name, {}, mark};
    for (size_t i = 0; i < curves.front().x.size(); ++i)
      series.points.push_back({curves.front().x[i], curves.front().best[i]});
    chart.series.push_back(std::move(series));
    return;
  }
  auto spread = spread_over(curves);
  XYSeries series{fmt::format("{}, median of {}", arm.name, curves.size()), arm.name, spread.median,
                  mark};
  series.band = spread.band;
  chart.series.push_back(std::move(series));
}

std::string seed_text(const StudyOutcome& o) {
  return o.setup.seed ? std::to_string(*o.setup.seed) : "-";
}

}  // namespace

void tuning_section(Page& page, const std::string& group,
                    const std::vector<const StudyRecord*>& studies, const ReportOptions& options) {
  std::vector<tune::Trial> all;
  for (auto* study : studies) all.insert(all.end(), study->trials.begin(), study->trials.end());
  const std::string provenance = energy_provenance(all);
  const std::string kind = kind_of(all);
  const std::string metric = studies.front()->info.objective == "train" ? "accuracy" : "value";
  const bool maximize = studies.front()->maximize();

  std::vector<StudyOutcome> outcomes;
  outcomes.reserve(studies.size());
  for (auto* study : studies) outcomes.push_back(outcome_of(*study, options.optimum_tolerance));
  std::vector<Arm> arms;
  for (const auto& o : outcomes) {
    const auto& strategy = o.study->info.strategy;
    auto it =
        std::find_if(arms.begin(), arms.end(), [&](const Arm& a) { return a.name == strategy; });
    if (it == arms.end()) it = arms.insert(arms.end(), Arm{strategy, {}});
    it->outcomes.push_back(&o);
  }
  size_t most_studies = 0;
  for (const auto& arm : arms) most_studies = std::max(most_studies, arm.outcomes.size());

  page.html += "<h3>Tuning strategies</h3>\n";
  std::string what = fmt::format("{} strategies", arms.size());
  if (most_studies > 1)
    what += fmt::format(
        ", {} studies each (seeds, models or datasets; figures over them are "
        "medians or means with their spread)",
        most_studies);
  what += started_interleaved(studies)
              ? ". The studies ran interleaved (round r of each started before round r + 1 of "
                "any), so drifts of the machine hit every strategy alike."
              : ". The studies did not run interleaved: a drift of the machine's load between "
                "them shows as a difference between strategies.";
  page.paragraph(what);

  // Is the energy comparison about the strategies or about the machine?
  std::vector<ArmJoules> arm_joules;
  for (const auto& arm : arms) {
    ArmJoules a{arm.name, {}};
    for (const auto* o : arm.outcomes)
      a.joules_per_trial.insert(a.joules_per_trial.end(), o->joules_per_trial.begin(),
                                o->joules_per_trial.end());
    arm_joules.push_back(std::move(a));
  }
  auto check = check_joules_per_trial(arm_joules);
  page.paragraph(check.verdict, check.differs ? "finding" : "");

  // Trials run under load, per strategy.
  std::vector<LoadCount> loads;
  for (const auto& arm : arms) {
    std::vector<const StudyRecord*> members;
    for (const auto* o : arm.outcomes) members.push_back(o->study);
    loads.push_back(count_load(round_trials(members), arm.name));
  }
  auto total_load = count_load(round_trials(studies));
  page.paragraph("Run conditions: " + load_sentence(total_load, loads) + " " + load_rule_text(),
                 total_load.under_load > 0 ? "finding" : "note");

  // Per strategy: the trial-count view and the energy view side by side.
  auto number = [](double v) { return round_number(v); };
  auto joules = [](double v) { return joules_text(v); };
  std::vector<std::vector<std::string>> rows;
  for (size_t a = 0; a < arms.size(); ++a) {
    const auto& arm = arms[a];
    std::vector<double> best, per_trial, totals;
    for (const auto* o : arm.outcomes) {
      if (o->best) best.push_back(*o->best);
      per_trial.insert(per_trial.end(), o->joules_per_trial.begin(), o->joules_per_trial.end());
      totals.push_back(o->total_joules);
    }
    rows.push_back(
        {arm.name, std::to_string(arm.outcomes.size()), value_interval_text(best),
         median_text(present(arm.outcomes, &StudyOutcome::optimum_round), number),
         median_text(present(arm.outcomes, &StudyOutcome::robust_round), number),
         median_text(finite_of(arm.outcomes, &StudyOutcome::joules_to_optimum), joules),
         median_text(finite_of(arm.outcomes, &StudyOutcome::joules_to_robust), joules),
         joules_interval_text(per_trial), joules_interval_text(totals),
         fmt::format("{} of {}", loads[a].under_load, loads[a].trials - loads[a].not_recorded)});
  }
  const double tolerance = outcomes.front().tolerance;
  page.html += "<h4>Per strategy</h4>\n" +
               table({"strategy", "studies", "best " + metric + " (mean ± 95 % CI over studies)",
                      "optimum round, paper's definition (median, IQR)",
                      "optimum round, robust (median, IQR)", "joules to the paper's optimum",
                      "joules to the robust optimum", "joules per trial (mean ± 95 % CI)",
                      "total joules per study (mean ± 95 % CI)", "trials under load"},
                     rows);
  page.paragraph(
      fmt::format("Two definitions of the optimum round, both counted from 1 as trials are "
                  "numbered. The paper's: the first round whose best so far is within {:g} of "
                  "the study's final best (a study that gains less than that over all its "
                  "rounds reads round 1). Robust: the first round reaching 99 % of the study's "
                  "final improvement over its first round. Joules to an optimum are those of "
                  "every round up to and including it.",
                  tolerance),
      "note");

  // The energy view: what accuracy each strategy had reached after spending so many joules.
  XYChart by_joules = xy_chart(
      fmt::format("{}: best {} against cumulative energy ({})", group, metric, kind),
      {fmt::format("cumulative energy, {}", kind), "J", AxisScale::log}, {"best " + metric, ""});
  XYChart by_round = xy_chart(fmt::format("{}: best {} so far per round", group, metric),
                              rounds_axis(), {"best " + metric, ""});
  XYChart cumulative = xy_chart(fmt::format("{}: cumulative energy per round ({})", group, kind),
                                rounds_axis(), {fmt::format("cumulative energy, {}", kind), "J"});
  XYChart scatter =
      xy_chart(fmt::format("{}: {} against energy per trial ({})", group, metric, kind),
               {fmt::format("energy per trial, {}", kind), "J"}, {metric, ""});
  std::vector<Point> points;
  bool repeated = false;
  for (const auto& arm : arms) {
    std::vector<StepCurve> joule_curves, round_curves, spend;
    std::vector<std::string> labels;
    XYSeries trials_of_arm{arm.name, arm.name, {}, Mark::points};
    for (const auto* o : arm.outcomes) {
      const auto& study = *o->study;
      auto values = round_values(study);
      std::vector<double> trial_joules;
      StepCurve spent;
      double sum = 0;
      for (size_t i = 0; i < study.trials.size(); ++i) {
        const auto& trial = study.trials[i];
        trial_joules.push_back(trial.joules);
        sum += std::isfinite(trial.joules) ? trial.joules : 0;
        spent.x.push_back(static_cast<double>(i + 1));
        spent.best.push_back(sum);
        if (!values[i] || !std::isfinite(*values[i])) continue;
        trials_of_arm.points.push_back({trial.joules, *values[i]});
        auto reps = repetition_values(trial);
        repeated = repeated || reps.size() > 1;
        trials_of_arm.errors.push_back(interval_bar(reps));
        points.push_back({maximize ? *values[i] : -*values[i], trial.joules});
      }
      joule_curves.push_back(best_by_joules(values, trial_joules, maximize));
      round_curves.push_back(best_by_round(values, maximize));
      spend.push_back(std::move(spent));
      labels.push_back(study.label());
    }
    add_curves(by_joules, arm, joule_curves, labels, Mark::step);
    add_curves(by_round, arm, round_curves, labels, Mark::step);
    add_curves(cumulative, arm, spend, labels, Mark::line);
    scatter.series.push_back(std::move(trials_of_arm));
  }
  XYSeries front{"Pareto front", "", {}, Mark::step, SeriesRole::highlight};
  for (size_t index : pareto_front(points))
    front.points.push_back(
        {points[index].joules, maximize ? points[index].value : -points[index].value});
  if (front.points.size() == 1) front.mark = Mark::points;  // a step line would draw nothing
  scatter.series.push_back(std::move(front));
  const std::string spread_note =
      most_studies > 1
          ? " A strategy with several studies is drawn as their median, the band spanning the "
            "lowest to the highest; the line ends where its shortest study ends."
          : "";
  page.xy("best-vs-joules", by_joules,
          "The energy view: the best " + metric +
              " each strategy had reached after spending so much energy (log scale), the question "
              "the paper asks: how much energy does each strategy need to reach a given " +
              metric + "?" + spread_note + " Energy: " + provenance + ".");
  page.xy("best-so-far", by_round,
          "The trial-count view: the best " + metric +
              " reached up to each round (failed and diverged rounds carry the previous best)." +
              spread_note);
  page.xy("cumulative-joules", cumulative,
          "Energy spent up to each round." + spread_note + " Energy: " + provenance + ".");
  page.xy("value-vs-joules", scatter,
          "Each point is one trial" +
              std::string(repeated ? ", its bar the 95 % CI over the round's repetitions" : "") +
              "; the line joins the trials no other trial beats in both " + metric +
              " and energy. Energy: " + provenance + ".");

  // Rounds and joules to the optimum: both definitions, the spread over studies as IQR bars.
  bool paper_budget = true;
  for (const auto& o : outcomes)
    paper_budget = paper_budget && o.setup.rounds && *o.setup.rounds == kPaperRounds;
  const std::vector<std::string> definitions = {"paper's definition", "robust (99 %)"};
  BarChart rounds = bar_chart(group + ": optimum round per strategy", {"round", ""}, definitions);
  BarChart to_optimum =
      bar_chart(fmt::format("{}: energy to the optimum per strategy ({})", group, kind),
                {fmt::format("energy to optimum, {}", kind), "J"}, definitions);
  for (const auto& arm : arms) {
    auto paper_rounds = present(arm.outcomes, &StudyOutcome::optimum_round);
    auto robust_rounds = present(arm.outcomes, &StudyOutcome::robust_round);
    auto paper_joules = finite_of(arm.outcomes, &StudyOutcome::joules_to_optimum);
    auto robust_joules = finite_of(arm.outcomes, &StudyOutcome::joules_to_robust);
    rounds.groups.push_back({arm.name,
                             arm.name,
                             {quartiles(paper_rounds).median, quartiles(robust_rounds).median},
                             {iqr_bar(paper_rounds), iqr_bar(robust_rounds)}});
    to_optimum.groups.push_back({arm.name,
                                 arm.name,
                                 {quartiles(paper_joules).median, quartiles(robust_joules).median},
                                 {iqr_bar(paper_joules), iqr_bar(robust_joules)}});
  }
  std::string paper_note;
  if (paper_budget) {
    // Same budget: the paper's Table III means (its definition) stand beside ours as a third
    // category, in each strategy's colour.
    rounds.categories.push_back("paper, Table III mean");
    for (size_t a = 0; a < arms.size(); ++a) {
      const auto* p = find_paper_optimum_round(arms[a].name);
      rounds.groups[a].values.push_back(p ? p->mean_round : NAN);
      rounds.groups[a].errors.push_back({});
    }
    paper_note = fmt::format(
        " The third group: the paper's means over its networks and data "
        "sets, with its definition ({}).",
        kPaperCitation);
  } else {
    paper_note =
        " The paper's Table III rounds are not drawn: its studies had 64 rounds, these had "
        "another budget (see the paper comparison below).";
  }
  page.bars("rounds-to-optimum", rounds,
            "Bars: the median over each strategy's studies; whiskers: the interquartile range "
            "(with two studies or more)." +
                paper_note);
  page.bars("joules-to-optimum", to_optimum,
            "Energy of all rounds up to and including each optimum round: median over the "
            "strategy's studies, whiskers the interquartile range. Energy: " +
                provenance + ".");

  BoxChart per_trial;
  per_trial.title = fmt::format("{}: energy per trial by strategy ({})", group, kind);
  per_trial.y = {fmt::format("energy per trial, {}", kind), "J"};
  for (const auto& a : arm_joules) per_trial.groups.push_back({a.arm, a.arm, a.joules_per_trial});
  page.boxes("joules-per-trial", per_trial,
             "Each dot is one completed trial; boxes span the middle half, the line is the "
             "median. " +
                 check.verdict + " Energy: " + provenance + ".");

  // Per study.
  rows.clear();
  for (const auto& o : outcomes) {
    const auto& study = *o.study;
    std::string best = value_text(o.best);
    if (o.best_repetitions.size() > 1)
      best = value_interval_text(o.best_repetitions) + " over the round's runs";
    auto load = count_load(round_trials({&study}));
    auto round_text = [](std::optional<int> r) { return r ? std::to_string(*r) : "n/a"; };
    rows.push_back({study.label(), seed_text(o),
                    fmt::format("{} of {}", o.complete, study.trials.size()), best,
                    round_text(o.optimum_round) + " | " + round_text(o.robust_round),
                    joules_text(o.joules_to_optimum) + " | " + joules_text(o.joules_to_robust),
                    joules_text(o.total_joules), joules_interval_text(o.joules_per_trial),
                    fmt::format("{} of {}", load.under_load, load.trials - load.not_recorded)});
  }
  page.html += "<h4>Per study</h4>\n" +
               table({"study", "seed", "trials complete", "best " + metric,
                      "optimum round: paper's | robust", "joules to optimum: paper's | robust",
                      "total joules", "joules per trial (mean ± 95 % CI)", "trials under load"},
                     rows);
}

}  // namespace greentune::report
