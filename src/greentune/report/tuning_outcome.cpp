#include "greentune/report/tuning_outcome.hpp"

#include "greentune/report/stats.hpp"
#include "greentune/report/uncertainty.hpp"

namespace greentune::report {

std::vector<std::optional<double>> round_values(const StudyRecord& study) {
  std::vector<std::optional<double>> values;
  for (const auto& trial : study.trials)
    values.push_back(trial.state == tune::TrialState::complete ? trial.value() : std::nullopt);
  return values;
}

std::vector<double> repetition_values(const tune::Trial& trial) {
  std::vector<double> values;
  if (trial.training)
    for (const auto& run : trial.training->repetitions)
      if (std::isfinite(run.value)) values.push_back(run.value);
  if (values.empty() && trial.value()) values.push_back(*trial.value());
  return values;
}

StudyOutcome outcome_of(const StudyRecord& study, double default_tolerance) {
  StudyOutcome out;
  out.study = &study;
  out.setup = study_setup(study);
  out.tolerance = default_tolerance;
  if (study.config.contains("tolerance") && study.config["tolerance"].is_number())
    out.tolerance = study.config["tolerance"].get<double>();
  auto values = round_values(study);
  for (size_t i = 0; i < study.trials.size(); ++i) {
    const auto& trial = study.trials[i];
    out.total_joules += std::isfinite(trial.joules) ? trial.joules : 0;
    if (!values[i]) continue;
    ++out.complete;
    out.joules_per_trial.push_back(trial.joules);
    const bool better =
        out.best && (study.maximize() ? *values[i] > *out.best : *values[i] < *out.best);
    if (!out.best || better) {
      out.best = values[i];
      out.best_trial = &trial;
    }
  }
  if (out.best_trial && out.best_trial->training &&
      out.best_trial->training->repetitions.size() > 1)
    out.best_repetitions = repetition_values(*out.best_trial);
  auto rounds = optimum_rounds(values, study.maximize(), out.tolerance);
  // A round is a position in the study; what every output prints is that trial's number.
  auto at = [&](std::optional<size_t> round, std::optional<int>& number, double& joules) {
    if (!round) return;
    number = study.trials[*round - 1].number;
    joules = 0;
    for (size_t i = 0; i < *round; ++i)
      joules += std::isfinite(study.trials[i].joules) ? study.trials[i].joules : 0;
  };
  at(rounds.within_tolerance, out.optimum_round, out.joules_to_optimum);
  at(rounds.robust, out.robust_round, out.joules_to_robust);
  return out;
}

}  // namespace greentune::report
