#include "greentune/tune/multi_objective_acquisition.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "greentune/tune/acquisition.hpp"
#include "greentune/tune/hypervolume.hpp"

namespace greentune::tune {

namespace {
constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();
}  // namespace

ExpectedHypervolumeImprovement::ExpectedHypervolumeImprovement(
    const std::vector<std::vector<double>>& front, const std::vector<double>& reference)
    : objectives_(reference.size()), bounds_(reference.size()), intervals_(reference.size()) {
  const auto boxes = non_dominated_boxes(front, reference);
  for (size_t d = 0; d < objectives_; ++d) {
    auto& b = bounds_[d];
    for (const auto& box : boxes) {
      b.push_back(box.upper[d]);
      if (std::isfinite(box.lower[d])) b.push_back(box.lower[d]);
    }
    std::sort(b.begin(), b.end());
    b.erase(std::unique(b.begin(), b.end()), b.end());
  }
  std::vector<std::map<std::pair<int, int>, int>> seen(objectives_);
  auto index_of = [](const std::vector<double>& b, double v) {
    return static_cast<int>(std::lower_bound(b.begin(), b.end(), v) - b.begin());
  };
  for (const auto& box : boxes) {
    for (size_t d = 0; d < objectives_; ++d) {
      const int lower = std::isfinite(box.lower[d]) ? index_of(bounds_[d], box.lower[d]) : -1;
      const std::pair<int, int> interval{lower, index_of(bounds_[d], box.upper[d])};
      auto [it, added] = seen[d].emplace(interval, static_cast<int>(intervals_[d].size()));
      if (added) intervals_[d].push_back(interval);
      box_intervals_.push_back(it->second);
    }
  }
}

double ExpectedHypervolumeImprovement::log_value(const double* mean, const double* sd) const {
  // log E[(u - max(Y, l))^+] for every interval of every objective.
  std::vector<std::vector<double>> log_terms(objectives_);
  std::vector<double> log_psi;
  for (size_t d = 0; d < objectives_; ++d) {
    log_psi.resize(bounds_[d].size());
    for (size_t i = 0; i < bounds_[d].size(); ++i)
      log_psi[i] = log_expected_improvement(mean[d], sd[d], bounds_[d][i]);
    auto& terms = log_terms[d];
    terms.reserve(intervals_[d].size());
    for (auto [lower, upper] : intervals_[d]) {
      const double hi = log_psi[static_cast<size_t>(upper)];
      const double lo = lower < 0 ? kMinusInfinity : log_psi[static_cast<size_t>(lower)];
      if (hi == kMinusInfinity || !(lo < hi)) {
        terms.push_back(kMinusInfinity);
      } else {
        terms.push_back(hi + std::log1p(-std::exp(lo - hi)));
      }
    }
  }
  const size_t boxes = box_intervals_.size() / objectives_;
  std::vector<double> log_boxes(boxes);
  double top = kMinusInfinity;
  for (size_t b = 0; b < boxes; ++b) {
    double s = 0;
    for (size_t d = 0; d < objectives_; ++d)
      s += log_terms[d][static_cast<size_t>(box_intervals_[b * objectives_ + d])];
    log_boxes[b] = s;
    top = std::max(top, s);
  }
  if (top == kMinusInfinity) return kMinusInfinity;
  double sum = 0;
  for (double v : log_boxes) sum += std::exp(v - top);
  return top + std::log(sum);
}

}  // namespace greentune::tune
