#pragma once
// Expected hypervolume improvement (EHVI) of a point whose objectives have independent Gaussian
// predictions (one GP per objective), in the minimisation convention, exact for any number of
// objectives.
//
// Why exact and not Monte Carlo or ParEGO: the region no front point dominates splits into
// disjoint boxes (hypervolume.hpp), and the improvement a point y brings is
//   HVI(y) = sum over boxes of prod_d (u_d - max(y_d, l_d))^+,
// a sum of products of one-objective terms. With independent objectives the expectation factorises
// too: E[(u - max(Y, l))^+] = psi(u) - psi(l) with psi(t) = E[(t - Y)^+] = sd h((t - mean) / sd),
// the expected-improvement function (Emmerich et al. 2006; Yang et al. 2019 for the boxes). For two
// objectives that is one box per front point plus one: the closed form over the front's cells.
// For three and four objectives the slicing gives O(n^2) and O(n^3) boxes, a few thousand for the
// fronts of a tuning study, cheaper than the hundreds of Monte-Carlo samples (each needing its own
// improvement) that would approximate the same number, and free of sampling noise, which matters
// to the local optimiser that refines the best candidates. ParEGO optimises one random weighting
// per proposal and so spends evaluations on scalarisations rather than on the front as a whole.
//
// The value is computed in log space (log-sum-exp over boxes of sums of log(psi(u) - psi(l))),
// with the stable log h of Ament et al. (2023) as in log EI, so points far from improving still
// rank by how far they are, instead of all scoring an underflowed 0 (the idea of BoTorch's
// qLogNEHVI). With one objective it is log EI below the best value.
#include <cstddef>
#include <vector>

namespace greentune::tune {

class ExpectedHypervolumeImprovement {
 public:
  // front: the observed (feasible) points; reference: the hypervolume's reference point.
  ExpectedHypervolumeImprovement(const std::vector<std::vector<double>>& front,
                                 const std::vector<double>& reference);

  // log EHVI for predictions (mean, sd) per objective; -infinity when no improvement is possible
  // (e.g. sd 0 and the mean dominated).
  double log_value(const double* mean, const double* sd) const;
  size_t boxes() const { return box_intervals_.size() / (objectives_ ? objectives_ : 1); }
  size_t objectives() const { return objectives_; }

 private:
  size_t objectives_ = 0;
  // Per objective: the distinct finite box bounds, and the distinct (lower, upper) intervals the
  // boxes use as indices into them (lower -1: minus infinity).
  std::vector<std::vector<double>> bounds_;
  std::vector<std::vector<std::pair<int, int>>> intervals_;
  std::vector<int> box_intervals_;  // boxes x objectives interval indices, row by row
};

}  // namespace greentune::tune
