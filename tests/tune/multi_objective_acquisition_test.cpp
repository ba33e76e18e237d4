#include "greentune/tune/multi_objective_acquisition.hpp"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "greentune/tune/acquisition.hpp"
#include "greentune/tune/hypervolume.hpp"

namespace greentune::tune {
namespace {

using Points = std::vector<std::vector<double>>;

// Monte-Carlo estimate of E[HVI(Y)] with independent Gaussian objectives, and its standard error.
std::pair<double, double> monte_carlo_ehvi(const Points& front,
                                           const std::vector<double>& reference,
                                           const std::vector<double>& mean,
                                           const std::vector<double>& sd, int samples) {
  const auto boxes = non_dominated_boxes(front, reference);
  std::mt19937_64 rng(99);
  std::normal_distribution<double> normal(0, 1);
  double sum = 0, sum2 = 0;
  std::vector<double> y(mean.size());
  for (int s = 0; s < samples; ++s) {
    for (size_t d = 0; d < y.size(); ++d) y[d] = mean[d] + sd[d] * normal(rng);
    const double v = hypervolume_improvement(boxes, y);
    sum += v;
    sum2 += v * v;
  }
  const double n = samples, m = sum / n;
  return {m, std::sqrt(std::max(0.0, sum2 / n - m * m) / n)};
}

TEST(ExpectedHypervolumeImprovement, TwoObjectivesMatchMonteCarlo) {
  const Points front{{0.1, 0.9}, {0.4, 0.5}, {0.8, 0.2}};
  const ExpectedHypervolumeImprovement ehvi(front, {1.1, 1.1});
  EXPECT_EQ(ehvi.boxes(), 4u);
  for (const auto& [mean, sd] : std::vector<std::pair<std::vector<double>, std::vector<double>>>{
           {{0.5, 0.5}, {0.2, 0.3}}, {{0.3, 0.3}, {0.05, 0.05}}, {{1.0, 1.0}, {0.3, 0.1}}}) {
    const auto [mc, se] = monte_carlo_ehvi(front, {1.1, 1.1}, mean, sd, 200000);
    const double exact = std::exp(ehvi.log_value(mean.data(), sd.data()));
    EXPECT_NEAR(exact, mc, 4 * se + 1e-12) << mean[0] << "," << mean[1];
  }
}

TEST(ExpectedHypervolumeImprovement, ThreeAndFourObjectivesMatchMonteCarlo) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  for (size_t m : {3u, 4u}) {
    Points front(8, std::vector<double>(m));
    for (auto& p : front)
      for (auto& v : p) v = u(rng);
    const std::vector<double> reference(m, 1.2);
    const ExpectedHypervolumeImprovement ehvi(front, reference);
    const std::vector<double> mean(m, 0.4), sd(m, 0.25);
    const auto [mc, se] = monte_carlo_ehvi(front, reference, mean, sd, 200000);
    const double exact = std::exp(ehvi.log_value(mean.data(), sd.data()));
    EXPECT_GT(exact, 0);
    EXPECT_NEAR(exact, mc, 4 * se) << "m=" << m;
  }
}

TEST(ExpectedHypervolumeImprovement, CertainPredictionGivesTheImprovement) {
  const Points front{{0.1, 0.9}, {0.4, 0.5}, {0.8, 0.2}};
  const std::vector<double> reference{1.1, 1.1};
  const ExpectedHypervolumeImprovement ehvi(front, reference);
  const std::vector<double> y{0.3, 0.4}, tiny{1e-9, 1e-9}, zero{0, 0};
  const double hvi = hypervolume_improvement(non_dominated_boxes(front, reference), y);
  EXPECT_NEAR(std::exp(ehvi.log_value(y.data(), tiny.data())), hvi, 1e-7);
  EXPECT_NEAR(std::exp(ehvi.log_value(y.data(), zero.data())), hvi, 1e-12);
  // A certainly dominated point improves nothing.
  const std::vector<double> dominated{0.5, 0.6};
  EXPECT_EQ(ehvi.log_value(dominated.data(), zero.data()), -INFINITY);
}

// Far from the front plain EHVI underflows to 0; the log form keeps ranking the points.
TEST(ExpectedHypervolumeImprovement, LogValueStaysFiniteAndOrderedFarFromTheFront) {
  const ExpectedHypervolumeImprovement ehvi({{0.1, 0.9}, {0.4, 0.5}, {0.8, 0.2}}, {1.1, 1.1});
  const std::vector<double> sd{0.01, 0.01};
  const std::vector<double> far{5, 5}, farther{8, 8};
  const double a = ehvi.log_value(far.data(), sd.data());
  const double b = ehvi.log_value(farther.data(), sd.data());
  EXPECT_TRUE(std::isfinite(a));
  EXPECT_TRUE(std::isfinite(b));
  EXPECT_EQ(std::exp(a), 0.0);
  EXPECT_GT(a, b);
}

TEST(ExpectedHypervolumeImprovement, OneObjectiveIsExpectedImprovement) {
  const ExpectedHypervolumeImprovement ehvi({{0.3}, {0.5}}, {2.0});
  const double mean = 0.4, sd = 0.2;
  EXPECT_NEAR(ehvi.log_value(&mean, &sd), log_expected_improvement(mean, sd, 0.3), 1e-12);
}

}  // namespace
}  // namespace greentune::tune
