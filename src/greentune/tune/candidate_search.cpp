#include "greentune/tune/candidate_search.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <nlopt.hpp>

#include "greentune/tune/unit_cube.hpp"

namespace greentune::tune {

namespace {

double finite_or_worst(double v) {
  return std::isfinite(v) ? v : -1e300;
}

// Local search over the continuous coordinates of `x`; keeps the best point the search saw.
double refine(const PointScore& score, const EncodedLayout& layout, std::vector<double>& x,
              double start_value) {
  if (layout.continuous.empty()) return start_value;
  const auto dims = static_cast<unsigned>(layout.continuous.size());
  struct Data {
    const PointScore* score;
    const EncodedLayout* layout;
    std::vector<double> point;
    std::vector<double> best_point;
    double best;
  } data{&score, &layout, x, x, start_value};
  auto objective = [](const std::vector<double>& z, std::vector<double>&, void* raw) {
    auto* d = static_cast<Data*>(raw);
    for (size_t i = 0; i < z.size(); ++i)
      d->point[static_cast<size_t>(d->layout->continuous[i])] = std::clamp(z[i], 0.0, 1.0);
    const double v = finite_or_worst((*d->score)(d->point));
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

EncodedLayout encoded_layout(const SearchSpace& space) {
  EncodedLayout layout;
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
  layout.dims = i;
  return layout;
}

Eigen::MatrixXd to_matrix(const std::vector<std::vector<double>>& rows, int dims) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), dims);
  for (size_t i = 0; i < rows.size(); ++i)
    for (int d = 0; d < dims; ++d)
      m(static_cast<Eigen::Index>(i), d) = rows[i][static_cast<size_t>(d)];
  return m;
}

std::vector<std::vector<double>> acquisition_candidates(
    const EncodedLayout& layout, const std::vector<std::vector<double>>& incumbents,
    const CandidateSearch& search, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(0, 1);
  std::vector<std::vector<double>> candidates;
  for (int i = 0; i < search.random_candidates; ++i) {
    std::vector<double> c(static_cast<size_t>(layout.dims));
    for (int d : layout.continuous) c[static_cast<size_t>(d)] = uniform(rng);
    for (auto [first, k] : layout.blocks) {
      const int pick = std::min(k - 1, static_cast<int>(uniform(rng) * k));
      c[static_cast<size_t>(first + pick)] = 1.0;
    }
    candidates.push_back(std::move(c));
  }
  std::normal_distribution<double> normal(0, 1);
  for (const auto& incumbent : incumbents) {
    for (int i = 0; i < search.perturbations_per_incumbent; ++i) {
      auto c = incumbent;
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
  return candidates;
}

std::vector<std::pair<double, std::vector<double>>> rank_candidates(
    const EncodedLayout& layout, const std::vector<std::vector<double>>& candidates,
    const PointScore& score, const BatchScore& batch_score, const CandidateSearch& search) {
  auto values = batch_score(to_matrix(candidates, layout.dims));
  for (auto& v : values) v = finite_or_worst(v);
  std::vector<size_t> ranked(candidates.size());
  std::iota(ranked.begin(), ranked.end(), 0);
  std::sort(ranked.begin(), ranked.end(),
            [&](size_t a, size_t b) { return values[a] > values[b]; });

  std::vector<std::pair<double, std::vector<double>>> finalists;
  const size_t refined = std::min<size_t>(ranked.size(), static_cast<size_t>(search.refined));
  for (size_t r = 0; r < ranked.size(); ++r) {
    auto c = candidates[ranked[r]];
    double v = values[ranked[r]];
    if (r < refined) v = refine(score, layout, c, v);
    finalists.emplace_back(v, std::move(c));
    if (r >= refined && finalists.size() >= 64) break;
  }
  std::stable_sort(finalists.begin(), finalists.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  return finalists;
}

std::optional<Params> first_untaken(
    const SearchSpace& space, const std::vector<std::pair<double, std::vector<double>>>& ranked,
    const std::vector<Trial>& history) {
  for (const auto& [v, c] : ranked) {
    Params params = decode(space, c);
    const bool taken = std::any_of(history.begin(), history.end(), [&](const Trial& trial) {
      return same_point(trial.params, params);
    });
    if (!taken) return params;
  }
  return std::nullopt;
}

}  // namespace greentune::tune
