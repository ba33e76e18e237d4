#include "greentune/tune/multi_objective_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/multi_objective_acquisition.hpp"
#include "greentune/tune/outcome_model.hpp"
#include "greentune/tune/pareto.hpp"
#include "greentune/tune/random_sampler.hpp"
#include "greentune/tune/unit_cube.hpp"

namespace greentune::tune {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();
// Inferred reference points are drawn between this fraction of the way from the ideal point to
// the nadir and the nadir itself (see the header).
constexpr double kReferenceLow = 0.2;

ValueScale scale_of(const MultiObjectiveOptions& options, size_t objective) {
  return options.scales.empty() ? ValueScale::linear : options.scales[objective];
}

double scaled(double value, ValueScale scale) {
  if (scale == ValueScale::linear) return value;
  return value > 0 ? std::log(value) : kNaN;  // a non-positive value cannot be on a log scale
}

// One column of values as a model sees them: missing entries replaced by the worst observed one.
// Returns false when the column has no observed value at all.
bool fill_missing(std::vector<double>& column, bool larger_is_worse) {
  double worst = larger_is_worse ? kMinusInfinity : std::numeric_limits<double>::infinity();
  bool any = false;
  for (double v : column)
    if (std::isfinite(v)) {
      worst = larger_is_worse ? std::max(worst, v) : std::min(worst, v);
      any = true;
    }
  if (!any) return false;
  for (double& v : column)
    if (!std::isfinite(v)) v = worst;
  return true;
}

struct Prediction {
  std::vector<double> mean, sd;  // per model
};

// The fitted models and how a candidate scores.
class MultiObjectiveAcquirer {
 public:
  MultiObjectiveAcquirer(std::vector<OutcomeModel> objectives,
                         std::vector<OutcomeModel> constraints, std::vector<ConstraintSense> senses,
                         std::vector<double> bounds,
                         std::optional<ExpectedHypervolumeImprovement> ehvi)
      : objectives_(std::move(objectives)),
        constraints_(std::move(constraints)),
        senses_(std::move(senses)),
        bounds_(std::move(bounds)),
        ehvi_(std::move(ehvi)) {}

  double at(const std::vector<double>& x) const {
    std::vector<double> mean(objectives_.size()), sd(objectives_.size());
    for (size_t d = 0; d < objectives_.size(); ++d) {
      const auto p = objectives_[d].gp.predict(x.data());
      mean[d] = p.mean;
      sd[d] = std::sqrt(p.variance);
    }
    std::vector<double> cmean(constraints_.size()), csd(constraints_.size());
    for (size_t j = 0; j < constraints_.size(); ++j) {
      const auto p = constraints_[j].gp.predict(x.data());
      cmean[j] = p.mean;
      csd[j] = std::sqrt(p.variance);
    }
    return score(mean.data(), sd.data(), cmean.data(), csd.data());
  }

  std::vector<double> batch(const Eigen::MatrixXd& x) const {
    auto predict_all = [&](const std::vector<OutcomeModel>& models) {
      std::vector<Eigen::VectorXd> means(models.size()), sds(models.size());
      for (size_t i = 0; i < models.size(); ++i) {
        Eigen::VectorXd variance;
        models[i].gp.predict(x, means[i], variance);
        sds[i] = variance.array().sqrt();
      }
      return std::make_pair(means, sds);
    };
    const auto [omean, osd] = predict_all(objectives_);
    const auto [cmean, csd] = predict_all(constraints_);
    std::vector<double> out(static_cast<size_t>(x.rows()));
    std::vector<double> m(objectives_.size()), s(objectives_.size());
    std::vector<double> cm(constraints_.size()), cs(constraints_.size());
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      for (size_t d = 0; d < m.size(); ++d) {
        m[d] = omean[d](r);
        s[d] = osd[d](r);
      }
      for (size_t j = 0; j < cm.size(); ++j) {
        cm[j] = cmean[j](r);
        cs[j] = csd[j](r);
      }
      out[static_cast<size_t>(r)] = score(m.data(), s.data(), cm.data(), cs.data());
    }
    return out;
  }

 private:
  double score(const double* mean, const double* sd, const double* cmean, const double* csd) const {
    double total = 0;
    for (size_t j = 0; j < constraints_.size(); ++j)
      total += log_probability_of_feasibility(senses_[j], bounds_[j], cmean[j], csd[j]);
    if (ehvi_) total += ehvi_->log_value(mean, sd);
    return total;
  }

  std::vector<OutcomeModel> objectives_;
  std::vector<OutcomeModel> constraints_;
  std::vector<ConstraintSense> senses_;
  std::vector<double> bounds_;  // in the constraint models' standardised space
  std::optional<ExpectedHypervolumeImprovement> ehvi_;
};

}  // namespace

TrialOutcomes read_trial_outcomes(const Trial& trial, const MultiObjectiveOptions& options) {
  TrialOutcomes out;
  const size_t m = options.directions.size();
  out.objectives.assign(m, kNaN);
  for (size_t d = 0; d < m && d < trial.values.size(); ++d) out.objectives[d] = trial.values[d];
  for (const auto& c : options.constraints) {
    double v = kNaN;
    if (c.objective >= 0 && static_cast<size_t>(c.objective) < m)
      v = out.objectives[static_cast<size_t>(c.objective)];
    else if (c.quantity == "joules")
      v = trial.joules;
    else if (c.quantity == "seconds")
      v = trial.seconds;
    out.constraints.push_back(v);
  }
  return out;
}

OutcomeHistory collect_history(const SamplerContext& context,
                               const MultiObjectiveOptions& options) {
  OutcomeHistory history;
  const size_t m = options.directions.size(), c = options.constraints.size();
  for (const auto& trial : context.history) {
    auto x = encode(context.space, trial.params);
    if (!x) continue;  // a point from another space: says nothing about this one
    if (trial.state == TrialState::running) {
      history.pending.push_back(std::move(*x));
      continue;
    }
    TrialOutcomes outcomes;
    if (trial.state == TrialState::complete)
      outcomes = options.read_outcomes ? options.read_outcomes(trial)
                                       : read_trial_outcomes(trial, options);
    outcomes.objectives.resize(m, kNaN);
    outcomes.constraints.resize(c, kNaN);
    history.x.push_back(std::move(*x));
    history.objectives.push_back(std::move(outcomes.objectives));
    history.constraints.push_back(std::move(outcomes.constraints));
  }
  return history;
}

std::vector<std::pair<double, std::vector<double>>> rank_multi_objective_candidates(
    const EncodedLayout& layout, const OutcomeHistory& history,
    const MultiObjectiveOptions& objectives, const SamplerOptions& sampler, uint64_t seed,
    uint64_t number) {
  const size_t n = history.x.size(), m = objectives.directions.size();
  const size_t c = objectives.constraints.size();
  if (n == 0 || m == 0) return {};

  // Objectives as minimisations on their modelling scale; a row is "measured" when every
  // objective is, "feasible" when it also satisfies every constraint.
  std::vector<std::vector<double>> columns(m, std::vector<double>(n));
  std::vector<bool> measured(n, true), feasible(n, true);
  for (size_t i = 0; i < n; ++i) {
    for (size_t d = 0; d < m; ++d) {
      double v = scaled(history.objectives[i][d], scale_of(objectives, d));
      if (objectives.directions[d] == Direction::maximize) v = -v;
      columns[d][i] = v;
      if (!std::isfinite(v)) measured[i] = false;
    }
    feasible[i] = measured[i] && is_feasible(objectives.constraints, history.constraints[i]);
  }
  if (std::none_of(measured.begin(), measured.end(), [](bool b) { return b; })) return {};

  std::vector<std::vector<double>> constraint_columns(c, std::vector<double>(n));
  std::vector<double> bounds(c);
  std::vector<ConstraintSense> senses(c);
  std::vector<bool> modelled(c, true);
  for (size_t j = 0; j < c; ++j) {
    const auto& constraint = objectives.constraints[j];
    for (size_t i = 0; i < n; ++i)
      constraint_columns[j][i] = scaled(history.constraints[i][j], constraint.scale);
    bounds[j] = scaled(constraint.bound, constraint.scale);
    senses[j] = constraint.sense;
    modelled[j] = fill_missing(constraint_columns[j], constraint.sense == ConstraintSense::at_most);
  }
  for (auto& column : columns) fill_missing(column, true);

  const Eigen::MatrixXd x = to_matrix(history.x, layout.dims);
  const Eigen::MatrixXd pending = to_matrix(history.pending, layout.dims);
  std::vector<OutcomeModel> objective_models;
  for (size_t d = 0; d < m; ++d)
    objective_models.push_back(fit_outcome_model(x, columns[d], pending, sampler.fit_restarts, seed,
                                                 PriorMean::largest_observed));
  std::vector<OutcomeModel> constraint_models;
  std::vector<ConstraintSense> model_senses;
  std::vector<double> model_bounds;
  for (size_t j = 0; j < c; ++j) {
    if (!modelled[j]) continue;  // never measured: nothing to learn from yet
    constraint_models.push_back(
        fit_outcome_model(x, constraint_columns[j], pending, sampler.fit_restarts, seed));
    model_senses.push_back(senses[j]);
    model_bounds.push_back(constraint_models.back().to_model(bounds[j]));
  }

  // The front of the feasible trials, in the standardised space, with running trials believed
  // to land at the models' means when those satisfy the constraints.
  std::vector<std::vector<double>> points, points_x;
  for (size_t i = 0; i < n; ++i) {
    if (!feasible[i]) continue;
    std::vector<double> p(m);
    for (size_t d = 0; d < m; ++d) p[d] = objective_models[d].to_model(columns[d][i]);
    points.push_back(std::move(p));
    points_x.push_back(history.x[i]);
  }
  for (const auto& px : history.pending) {
    bool believed_feasible = true;
    for (size_t j = 0; j < constraint_models.size(); ++j) {
      const double mean = constraint_models[j].gp.predict(px.data()).mean;
      believed_feasible &= model_senses[j] == ConstraintSense::at_most ? mean <= model_bounds[j]
                                                                       : mean >= model_bounds[j];
    }
    if (!believed_feasible) continue;
    std::vector<double> p(m);
    for (size_t d = 0; d < m; ++d) p[d] = objective_models[d].gp.predict(px.data()).mean;
    points.push_back(std::move(p));
    points_x.push_back(px);
  }
  const auto front = pareto_front_indices(points);
  if (front.empty() && constraint_models.empty()) return {};  // nothing to aim at: random

  std::optional<ExpectedHypervolumeImprovement> ehvi;
  std::vector<std::vector<double>> incumbents;
  if (!front.empty()) {
    std::vector<std::vector<double>> front_points;
    for (size_t i : front) front_points.push_back(points[i]);
    std::vector<double> reference(m);
    auto draw = seeded_rng(seed, number, 0x7efu);
    std::uniform_real_distribution<double> uniform(kReferenceLow, 1.0);
    for (size_t d = 0; d < m; ++d) {
      if (!objectives.reference_point.empty()) {
        double r = scaled(objectives.reference_point[d], scale_of(objectives, d));
        if (objectives.directions[d] == Direction::maximize) r = -r;
        reference[d] = objective_models[d].to_model(r);
        continue;
      }
      const auto& y = objective_models[d].standardised;
      const double range = y.size() > 0 ? y.maxCoeff() - y.minCoeff() : 0.0;
      double ideal = std::numeric_limits<double>::infinity(), nadir = kMinusInfinity;
      for (const auto& p : points) {
        ideal = std::min(ideal, p[d]);
        nadir = std::max(nadir, p[d]);
      }
      nadir += objectives.reference_margin * (range > 0 ? range : 1.0);
      reference[d] = ideal + uniform(draw) * (nadir - ideal);
    }
    ehvi.emplace(front_points, reference);
    for (size_t i : front) incumbents.push_back(points_x[i]);
  } else {
    // Nothing feasible yet: search near the trials that miss the constraints by the least.
    std::vector<std::pair<double, size_t>> violation;
    for (size_t i = 0; i < n; ++i) {
      double v = 0;
      for (size_t j = 0, k = 0; j < c; ++j) {
        if (!modelled[j]) continue;
        const auto& model = constraint_models[k];
        const double value = model.to_model(constraint_columns[j][i]);
        const double bound = model_bounds[k++];
        v += std::max(0.0, senses[j] == ConstraintSense::at_most ? value - bound : bound - value);
      }
      violation.emplace_back(v, i);
    }
    std::sort(violation.begin(), violation.end());
    for (size_t r = 0; r < std::min<size_t>(violation.size(), 5); ++r)
      incumbents.push_back(history.x[violation[r].second]);
  }

  const MultiObjectiveAcquirer acquisition(std::move(objective_models),
                                           std::move(constraint_models), std::move(model_senses),
                                           std::move(model_bounds), std::move(ehvi));
  auto rng = seeded_rng(seed, number, 0x3ab0u);
  CandidateSearch search;
  search.random_candidates = sampler.candidates;
  // About 300 perturbations in all, however many incumbents the front has.
  search.perturbations_per_incumbent =
      std::max(10, 300 / std::max(1, static_cast<int>(incumbents.size())));
  const auto candidates = acquisition_candidates(layout, incumbents, search, rng);
  return rank_candidates(
      layout, candidates, [&](const std::vector<double>& p) { return acquisition.at(p); },
      [&](const Eigen::MatrixXd& p) { return acquisition.batch(p); }, search);
}

MultiObjectiveSampler::MultiObjectiveSampler(SamplerOptions sampler,
                                             MultiObjectiveOptions objectives)
    : sampler_(sampler), objectives_(std::move(objectives)) {
  const size_t m = objectives_.directions.size();
  if (m < 1 || m > 4)
    throw InputError(
        fmt::format("multi-objective sampler: expected 1 to 4 objectives (directions), got {}", m));
  if (!objectives_.scales.empty() && objectives_.scales.size() != m)
    throw InputError(fmt::format("multi-objective sampler: {} objective scales for {} objectives",
                                 objectives_.scales.size(), m));
  if (!(objectives_.reference_margin > 0) || !std::isfinite(objectives_.reference_margin))
    throw InputError(fmt::format("multi-objective sampler: reference margin must be > 0, got {}",
                                 objectives_.reference_margin));
  if (!objectives_.reference_point.empty()) {
    if (objectives_.reference_point.size() != m)
      throw InputError(
          fmt::format("multi-objective sampler: reference point has {} values for {} "
                      "objectives",
                      objectives_.reference_point.size(), m));
    for (size_t d = 0; d < m; ++d) {
      const double r = objectives_.reference_point[d];
      if (!std::isfinite(r) || (scale_of(objectives_, d) == ValueScale::log && r <= 0))
        throw InputError(fmt::format(
            "multi-objective sampler: reference value {} of objective {} must be finite{}", r, d,
            scale_of(objectives_, d) == ValueScale::log ? " and positive (log scale)" : ""));
    }
  }
  for (const auto& c : objectives_.constraints) {
    if (!std::isfinite(c.bound))
      throw InputError(fmt::format("constraint {}: the bound must be finite", to_string(c)));
    if (c.scale == ValueScale::log && c.bound <= 0)
      throw InputError(
          fmt::format("constraint {}: a quantity modelled on a log scale needs a positive bound",
                      to_string(c)));
    if (c.objective >= static_cast<int>(m))
      throw InputError(fmt::format("constraint {}: objective {} does not exist ({} objectives)",
                                   to_string(c), c.objective, m));
    if (!objectives_.read_outcomes && c.objective < 0 && c.quantity != "joules" &&
        c.quantity != "seconds")
      throw InputError(fmt::format(
          "constraint {}: unknown quantity '{}' (expected an objective, joules or seconds)",
          to_string(c), c.quantity));
  }
}

std::optional<Params> MultiObjectiveSampler::propose_with_model(const SamplerContext& context) {
  RandomSampler startup(sampler_.quasi);
  const uint64_t number = context.history.size();
  if (static_cast<int>(number) < sampler_.startup_rounds) return startup.propose(context);
  const auto history = collect_history(context, objectives_);
  const auto ranked = rank_multi_objective_candidates(encoded_layout(context.space), history,
                                                      objectives_, sampler_, context.seed, number);
  if (auto params = first_untaken(context.space, ranked, context.history)) return params;
  return startup.propose(context);
}

std::optional<Params> MultiObjectiveSampler::propose(const SamplerContext& context) {
  try {
    return propose_with_model(context);
  } catch (const std::exception&) {
    // As in BayesSampler: a study must not stop because its models could not be built.
    RandomSampler fallback(sampler_.quasi);
    return fallback.propose(context);
  }
}

}  // namespace greentune::tune
