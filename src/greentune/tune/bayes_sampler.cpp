#include "greentune/tune/bayes_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "greentune/tune/acquisition.hpp"
#include "greentune/tune/candidate_search.hpp"
#include "greentune/tune/gaussian_process.hpp"
#include "greentune/tune/outcome_model.hpp"
#include "greentune/tune/pruner.hpp"
#include "greentune/tune/random_sampler.hpp"
#include "greentune/tune/unit_cube.hpp"

namespace greentune::tune {

namespace {

struct Observations {
  std::vector<std::vector<double>> x;  // encoded points with a value (or a stand-in)
  std::vector<double> y;               // to be minimised
  // Not a complete trial's own value (a pruned trial's, or the worst value given to a failed,
  // diverged or non-finite one): never the incumbent the acquisition tries to improve on.
  std::vector<bool> stand_in;
  std::vector<std::vector<double>> pending;  // running trials
};

double minimised(double value, Direction direction) {
  return direction == Direction::maximize ? -value : value;
}

Observations collect(const SamplerContext& context) {
  Observations obs;
  std::vector<std::vector<double>> bad;
  std::vector<std::pair<std::vector<double>, const Trial*>> pruned;
  std::vector<CompleteCurve> complete;
  for (const auto& trial : context.history) {
    auto x = encode(context.space, trial.params);
    if (!x) continue;  // a point from another space: says nothing about this one
    if (trial.state == TrialState::running) {
      obs.pending.push_back(std::move(*x));
    } else if (trial.state == TrialState::complete && trial.value()) {
      obs.x.push_back(std::move(*x));
      obs.y.push_back(minimised(*trial.value(), context.direction));
      obs.stand_in.push_back(false);
      complete.push_back({curve_of(trial), *trial.value()});
    } else if (trial.state == TrialState::pruned) {
      pruned.emplace_back(std::move(*x), &trial);
    } else {
      bad.push_back(std::move(*x));
    }
  }
  // A pruned trial counts with an estimate of its full-length value from the complete trials'
  // curves (pruner.hpp: pruned_trial_value); without a finite report it is treated as failed.
  for (auto& [x, trial] : pruned) {
    const auto value = pruned_trial_value(curve_of(*trial), complete, context.direction);
    if (!value) {
      bad.push_back(std::move(x));
      continue;
    }
    obs.x.push_back(std::move(x));
    obs.y.push_back(minimised(*value, context.direction));
    obs.stand_in.push_back(true);
  }
  // A failed or diverged point is as bad as the worst one seen: the model learns to avoid the
  // region without an infinite or invented value distorting it.
  if (!obs.y.empty()) {
    const double worst = *std::max_element(obs.y.begin(), obs.y.end());
    for (auto& x : bad) {
      obs.x.push_back(std::move(x));
      obs.y.push_back(worst);
      obs.stand_in.push_back(true);
    }
  }
  return obs;
}

class Acquirer {
 public:
  Acquirer(const GaussianProcess& gp, double best, const SamplerOptions& options)
      : gp_(gp), best_(best), options_(options) {}

  double value(double mean, double variance) const {
    const double sd = std::sqrt(variance);
    switch (options_.acquisition) {
      case Acquisition::pi:
        return log_probability_of_improvement(mean, sd, best_ - options_.xi);
      case Acquisition::ucb:
        return negative_lcb(mean, sd, options_.ucb_beta);
      case Acquisition::log_ei:
        break;
    }
    return log_expected_improvement(mean, sd, best_ - options_.xi);
  }
  double at(const std::vector<double>& x) const {
    const auto p = gp_.predict(x.data());
    const double v = value(p.mean, p.variance);
    return std::isfinite(v) ? v : -1e300;
  }
  std::vector<double> batch(const Eigen::MatrixXd& x) const {
    Eigen::VectorXd mean, variance;
    gp_.predict(x, mean, variance);
    std::vector<double> out(static_cast<size_t>(x.rows()));
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const double v = value(mean(i), variance(i));
      out[static_cast<size_t>(i)] = std::isfinite(v) ? v : -1e300;
    }
    return out;
  }

 private:
  const GaussianProcess& gp_;
  double best_;
  const SamplerOptions& options_;
};

}  // namespace

std::optional<Params> BayesSampler::propose_with_model(const SamplerContext& context) {
  const auto& space = context.space;
  const uint64_t number = context.history.size();
  RandomSampler startup(options_.quasi);
  Observations obs = collect(context);
  int real_observations = 0;
  for (bool s : obs.stand_in) real_observations += s ? 0 : 1;
  if (static_cast<int>(number) < options_.startup_rounds || real_observations == 0)
    return startup.propose(context);

  const EncodedLayout layout = encoded_layout(space);
  auto rng = seeded_rng(context.seed, number, 0xba7e5u);

  const Eigen::MatrixXd x = to_matrix(obs.x, layout.dims);
  const OutcomeModel model = fit_outcome_model(x, obs.y, to_matrix(obs.pending, layout.dims),
                                               options_.fit_restarts, context.seed);
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < obs.y.size(); ++i)
    if (!obs.stand_in[i]) best = std::min(best, model.standardised(static_cast<Eigen::Index>(i)));
  const Acquirer acquirer(model.gp, best, options_);

  // Candidates: uniform over the cube, plus perturbations of the best points seen.
  std::vector<size_t> order(obs.y.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return obs.y[a] < obs.y[b]; });
  std::vector<std::vector<double>> incumbents;
  for (size_t r = 0; r < std::min<size_t>(order.size(), 5); ++r)
    incumbents.push_back(obs.x[order[r]]);
  CandidateSearch search;
  search.random_candidates = options_.candidates;
  const auto candidates = acquisition_candidates(layout, incumbents, search, rng);
  const auto ranked = rank_candidates(
      layout, candidates, [&](const std::vector<double>& p) { return acquirer.at(p); },
      [&](const Eigen::MatrixXd& p) { return acquirer.batch(p); }, search);
  if (auto params = first_untaken(space, ranked, context.history)) return params;
  return startup.propose(context);
}

std::optional<Params> BayesSampler::propose(const SamplerContext& context) {
  try {
    return propose_with_model(context);
  } catch (const std::exception&) {
    // Never expected (inputs are sanitised and the factorisation has a jitter fallback), but a
    // study must not stop because its model could not be built: fall back to a random point.
    RandomSampler fallback(options_.quasi);
    return fallback.propose(context);
  }
}

}  // namespace greentune::tune
