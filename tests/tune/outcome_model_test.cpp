#include "greentune/tune/outcome_model.hpp"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

namespace greentune::tune {
namespace {

// A smooth quantity observed on [0, 0.35] of one input, predicted at 1, far beyond.
struct Observed {
  Eigen::MatrixXd x{8, 1};
  std::vector<double> values;
  double average = 0, largest = -1e9;
  Observed() {
    for (int i = 0; i < 8; ++i) {
      x(i, 0) = 0.05 * i;
      values.push_back(3 + 2 * std::sin(15 * x(i, 0)));
      average += values.back() / 8;
      largest = std::max(largest, values.back());
    }
  }
};

double predict(const OutcomeModel& model, double at) {
  return model.mean + model.scale * model.gp.predict(&at).mean;
}

TEST(OutcomeModel, AveragePriorPredictsTheAverageFarFromTheData) {
  const Observed data;
  const auto model = fit_outcome_model(data.x, data.values, Eigen::MatrixXd(0, 1), 2, 1);
  EXPECT_NEAR(predict(model, 1.0), data.average, 0.2);
  EXPECT_NEAR(predict(model, 0.1), data.values[2], 0.05);  // the data are reproduced
}

// The pessimistic prior: far from every trial the model expects the worst value seen (the
// largest of a minimised quantity), not an average one, while the data are reproduced as before.
TEST(OutcomeModel, LargestObservedPriorPredictsTheWorstValueFarFromTheData) {
  const Observed data;
  const auto model = fit_outcome_model(data.x, data.values, Eigen::MatrixXd(0, 1), 2, 1,
                                       PriorMean::largest_observed);
  EXPECT_NEAR(predict(model, 1.0), data.largest, 0.2);
  EXPECT_GT(data.largest - data.average, 1.0);  // so the two priors are told apart
  EXPECT_NEAR(predict(model, 0.1), data.values[2], 0.05);
  EXPECT_NEAR(predict(model, 0.3), data.values[6], 0.05);
  // Standardising and the model's own space agree: to_model of an observation is its target.
  EXPECT_NEAR(model.to_model(data.values[6]), model.standardised(6), 1e-12);
  EXPECT_LE(model.standardised.maxCoeff(), 1e-12);
}

}  // namespace
}  // namespace greentune::tune
