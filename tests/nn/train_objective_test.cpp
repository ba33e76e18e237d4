// The train objective and early stopping: told to stop by its context, it ends training after
// that epoch and returns a pruned trial with what it used. On a tiny generated data set (DensePoly,
// a few hundred images), so it runs in about a second.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "greentune/nn/train_objective.hpp"

using namespace greentune;

namespace {

data::Dataset noise_dataset(const std::string& name, size_t count, uint64_t seed) {
  data::Dataset d;
  d.name = name;
  d.channels = 1;
  d.height = d.width = 28;
  d.images.resize(count * d.image_size());
  d.labels.resize(count);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pixel(0, 255), label(0, 9);
  for (auto& p : d.images) p = static_cast<uint8_t>(pixel(rng));
  for (auto& l : d.labels) l = static_cast<uint8_t>(label(rng));
  return d;
}

// A context outside any study: keeps the reports and says stop from report `stop_at` on.
class ScriptedContext final : public tune::TrialContext {
 public:
  explicit ScriptedContext(int stop_at) : stop_at_(stop_at) {}
  int number() const override { return 1; }
  const tune::Params& params() const override { return params_; }
  using tune::TrialContext::report;
  void report(const tune::IntermediateReport& report) override { reports.push_back(report); }
  bool should_prune() const override {
    ++asked;
    return stop_at_ > 0 && static_cast<int>(reports.size()) >= stop_at_;
  }
  void set_usage_probe(tune::UsageProbe) override {}

  std::vector<tune::IntermediateReport> reports;
  mutable int asked = 0;

 private:
  int stop_at_;
  tune::Params params_;
};

nn::TrainObjectiveSettings tiny_settings(int epochs) {
  nn::TrainObjectiveSettings settings;
  settings.train.model_spec = "densepoly";
  settings.train.hp.epochs = epochs;
  settings.train.hp.batch_size = 50;
  settings.train.threads = 1;  // unit tests share 2 cores with other test programs
  settings.train.profile_layers = false;
  return settings;
}

std::shared_ptr<const data::Split> tiny_split() {
  return std::make_shared<const data::Split>(data::Split{noise_dataset("noise/train", 200, 1),
                                                         noise_dataset("noise/validation", 50, 2),
                                                         noise_dataset("noise/test", 50, 3)});
}

}  // namespace

TEST(TrainObjective, StopsWhenToldAndReturnsAPrunedTrialWithWhatItUsed) {
  auto objective = nn::make_train_objective(tiny_settings(5), tiny_split(), nullptr);
  ScriptedContext context(2);
  auto result = objective({{"lr", 1e-3}}, context);
  EXPECT_EQ(result.state, tune::TrialState::pruned);
  ASSERT_EQ(context.reports.size(), 2u);  // epochs 1 and 2, then it stopped
  EXPECT_EQ(context.reports[1].step, 2);
  EXPECT_EQ(context.asked, 2);  // asked after every report
  EXPECT_TRUE(result.values.empty());
  EXPECT_THAT(result.error, ::testing::HasSubstr("stopped after epoch 2 of 5"));
  EXPECT_GT(result.seconds, 0.0);
  ASSERT_TRUE(result.training);
  EXPECT_FALSE(result.training->test_accuracy);  // no test-set pass for a stopped run
  EXPECT_GT(result.training->parameter_count.value_or(0), 0);
}

TEST(TrainObjective, RunsEveryEpochWhenNeverToldToStop) {
  auto objective = nn::make_train_objective(tiny_settings(3), tiny_split(), nullptr);
  ScriptedContext context(0);
  auto result = objective({{"lr", 1e-3}}, context);
  EXPECT_EQ(result.state, tune::TrialState::complete);
  EXPECT_EQ(context.reports.size(), 3u);
  ASSERT_EQ(result.values.size(), 1u);
  ASSERT_TRUE(result.training);
  EXPECT_TRUE(result.training->test_accuracy);
}
