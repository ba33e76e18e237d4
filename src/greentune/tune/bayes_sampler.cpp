#include "greentune/tune/bayes_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <nlopt.hpp>

#include "greentune/tune/acquisition.hpp"
#include "greentune/tune/gaussian_process.hpp"
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
  std::vector<double> complete_values;
  for (const auto& trial : context.history) {
    auto x = encode(context.space, trial.params);
    if (!x) continue;  // a point from another space: says nothing about this one
    if (trial.state == TrialState::running) {
      obs.pending.push_back(std::move(*x));
    } else if (trial.state == TrialState::complete && trial.value()) {
      obs.x.push_back(std::move(*x));
      obs.y.push_back(minimised(*trial.value(), context.direction));
      obs.stand_in.push_back(false);
      complete_values.push_back(*trial.value());
    } else if (trial.state == TrialState::pruned) {
      pruned.emplace_back(std::move(*x), &trial);
    } else {
      bad.push_back(std::move(*x));
    }
  }
  // A pruned trial counts with its last report, never better than the worst complete trial
  // (pruner.hpp: pruned_trial_value); without a finite report it is treated as failed.
  for (auto& [x, trial] : pruned) {
    const auto value = pruned_trial_value(curve_of(*trial), complete_values, context.direction);
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

Eigen::MatrixXd to_matrix(const std::vector<std::vector<double>>& rows, int dims) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), dims);
  for (size_t i = 0; i < rows.size(); ++i)
    for (int d = 0; d < dims; ++d)
      m(static_cast<Eigen::Index>(i), d) = rows[i][static_cast<size_t>(d)];
  return m;
}

// Coordinates of the encoding that are continuous (reals, integers) and the one-hot blocks.
struct Layout {
  std::vector<int> continuous;
  std::vector<std::pair<int, int>> blocks;  // (first coordinate, choices)
};

Layout layout_of(const SearchSpace& space) {
  Layout layout;
  int i = 0;
  for (const auto& p : space.params) {
    if (p.type == ParamType::categorical) {
      const int k = static_cast<int>(p.choices.size());
      layout.blocks.emplace_back(i, k);
      i += k;
    } else {
      layout.continuous.push_back(i++);
    }
  }
  return layout;
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

// Local search over the continuous coordinates of `x` (one-hot blocks stay fixed).
double refine(const Acquirer& acquirer, const Layout& layout, std::vector<double>& x,
              double start_value) {
  if (layout.continuous.empty()) return start_value;
  const auto dims = static_cast<unsigned>(layout.continuous.size());
  struct Data {
    const Acquirer* acquirer;
    const Layout* layout;
    std::vector<double> point;
    std::vector<double> best_point;
    double best;
  } data{&acquirer, &layout, x, x, start_value};
  auto objective = [](const std::vector<double>& z, std::vector<double>&, void* raw) {
    auto* d = static_cast<Data*>(raw);
    for (size_t i = 0; i < z.size(); ++i)
      d->point[static_cast<size_t>(d->layout->continuous[i])] = std::clamp(z[i], 0.0, 1.0);
    const double v = d->acquirer->at(d->point);
    if (v > d->best) {
      d->best = v;
      d->best_point = d->point;
    }
    return v;
  };
  std::vector<double> z(dims);
  for (size_t i = 0; i < dims; ++i) z[i] = x[static_cast<size_t>(layout.continuous[i])];
  nlopt::opt opt(nlopt::LN_BOBYQA, dims);
  opt.set_lower_bounds(std::vector<double>(dims, 0.0));
  opt.set_upper_bounds(std::vector<double>(dims, 1.0));
  opt.set_max_objective(objective, &data);
  opt.set_maxeval(static_cast<int>(30 + 15 * dims));
  opt.set_xtol_abs(1e-5);
  opt.set_initial_step(0.02);
  double value = 0;
  try {
    opt.optimize(z, value);
  } catch (const std::exception&) {
    // Round-off limits and the like: keep the best point the search saw.
  }
  x = data.best_point;
  return data.best;
}

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

  const int dims = encoded_dimension(space);
  const Layout layout = layout_of(space);
  auto rng = seeded_rng(context.seed, number, 0xba7e5u);
  std::uniform_real_distribution<double> uniform(0, 1);

  // Standardise (all-equal values leave the scale at 1).
  const double n = static_cast<double>(obs.y.size());
  const double mean = std::accumulate(obs.y.begin(), obs.y.end(), 0.0) / n;
  double var = 0;
  for (double v : obs.y) var += (v - mean) * (v - mean);
  const double sd = obs.y.size() > 1 && var > 1e-24 * n ? std::sqrt(var / n) : 1.0;
  Eigen::VectorXd y(static_cast<Eigen::Index>(obs.y.size()));
  for (size_t i = 0; i < obs.y.size(); ++i)
    y(static_cast<Eigen::Index>(i)) = (obs.y[i] - mean) / sd;
  Eigen::MatrixXd x = to_matrix(obs.x, dims);

  GpHyperparameters hyper;
  if (obs.y.size() >= 3) {
    GpFitOptions fit;
    fit.restarts = options_.fit_restarts;
    fit.seed = context.seed;
    hyper = fit_hyperparameters(x, y, fit);
  } else {
    hyper.length_scales.assign(static_cast<size_t>(dims), 0.3);
    hyper.noise_variance = 1e-4;
  }
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < obs.y.size(); ++i)
    if (!obs.stand_in[i]) best = std::min(best, y(static_cast<Eigen::Index>(i)));

  GaussianProcess gp(x, y, hyper);
  if (!obs.pending.empty()) {
    // Running trials count as if they returned the model's mean there ("kriging believer"):
    // their neighbourhood loses its uncertainty, so parallel workers spread out.
    const Eigen::MatrixXd p = to_matrix(obs.pending, dims);
    Eigen::VectorXd pm, pv;
    gp.predict(p, pm, pv);
    Eigen::MatrixXd xa(x.rows() + p.rows(), dims);
    xa << x, p;
    Eigen::VectorXd ya(y.size() + pm.size());
    ya << y, pm;
    gp = GaussianProcess(xa, ya, hyper);
  }
  const Acquirer acquirer(gp, best, options_);

  // Candidates: uniform over the cube, plus perturbations of the best points seen.
  std::vector<std::vector<double>> candidates;
  auto random_point = [&] {
    std::vector<double> c(static_cast<size_t>(dims));
    for (int i : layout.continuous) c[static_cast<size_t>(i)] = uniform(rng);
    for (auto [first, k] : layout.blocks) {
      const int pick = std::min(k - 1, static_cast<int>(uniform(rng) * k));
      c[static_cast<size_t>(first + pick)] = 1.0;
    }
    return c;
  };
  for (int i = 0; i < options_.candidates; ++i) candidates.push_back(random_point());
  std::vector<size_t> order(obs.y.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return obs.y[a] < obs.y[b]; });
  std::normal_distribution<double> normal(0, 1);
  const size_t incumbents = std::min<size_t>(order.size(), 5);
  for (size_t r = 0; r < incumbents; ++r) {
    for (int i = 0; i < 60; ++i) {
      auto c = obs.x[order[r]];
      const double scale = i % 2 ? 0.02 : 0.1;
      for (int d : layout.continuous)
        c[static_cast<size_t>(d)] =
            std::clamp(c[static_cast<size_t>(d)] + scale * normal(rng), 0.0, 1.0);
      for (auto [first, k] : layout.blocks) {
        if (uniform(rng) < 0.2) {
          for (int j = 0; j < k; ++j) c[static_cast<size_t>(first + j)] = 0;
          c[static_cast<size_t>(first + std::min(k - 1, static_cast<int>(uniform(rng) * k)))] = 1;
        }
      }
      candidates.push_back(std::move(c));
    }
  }
  const auto values = acquirer.batch(to_matrix(candidates, dims));
  std::vector<size_t> ranked(candidates.size());
  std::iota(ranked.begin(), ranked.end(), 0);
  std::sort(ranked.begin(), ranked.end(),
            [&](size_t a, size_t b) { return values[a] > values[b]; });

  // Refine the best few, then take the best proposal that is not already a trial's point (in
  // integer or categorical spaces the refined optimum can round onto an evaluated point).
  std::vector<std::pair<double, std::vector<double>>> finalists;
  const size_t refined = std::min<size_t>(ranked.size(), 5);
  for (size_t r = 0; r < ranked.size(); ++r) {
    auto c = candidates[ranked[r]];
    double v = values[ranked[r]];
    if (r < refined) v = refine(acquirer, layout, c, v);
    finalists.emplace_back(v, std::move(c));
    if (r >= refined && finalists.size() >= 64) break;
  }
  std::stable_sort(finalists.begin(), finalists.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [v, c] : finalists) {
    Params params = decode(space, c);
    bool taken = false;
    for (const auto& trial : context.history)
      if (same_point(trial.params, params)) {
        taken = true;
        break;
      }
    if (!taken) return params;
  }
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
