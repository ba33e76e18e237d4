// The trainer on data made in the test (a learnable pattern), and on a real FashionMNIST subset
// when Debian's dataset-fashion-mnist is installed.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "greentune/common/error.hpp"
#include "greentune/data/load.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/nn/runtime.hpp"
#include "greentune/nn/trainer.hpp"
#include "greentune/system/machine.hpp"

using namespace greentune;
using namespace greentune::nn;
using ::testing::HasSubstr;

namespace {

// Class k is a bright 4x4 square at one of ten places, plus noise: any of the networks learns it.
data::Dataset pattern_dataset(const std::string& name, size_t count, int channels, int size,
                              uint64_t seed) {
  data::Dataset d;
  d.name = name;
  d.channels = channels;
  d.height = d.width = size;
  d.images.resize(count * d.image_size());
  d.labels.resize(count);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> noise(0, 90), label(0, 9);
  for (size_t i = 0; i < count; ++i) {
    const int k = label(rng);
    d.labels[i] = static_cast<uint8_t>(k);
    uint8_t* image = d.images.data() + i * d.image_size();
    for (size_t p = 0; p < d.image_size(); ++p) image[p] = static_cast<uint8_t>(noise(rng));
    const int top = (k / 5) * (size / 2) + 4, left = (k % 5) * (size / 5) + 1;
    for (int c = 0; c < channels; ++c) {
      for (int y = top; y < top + 4; ++y) {
        for (int x = left; x < left + 4; ++x) image[(c * size + y) * size + x] = 250;
      }
    }
  }
  return d;
}

data::Split pattern_split(size_t train, int channels = 1, int size = 28) {
  return {pattern_dataset("pattern/train", train, channels, size, 1),
          pattern_dataset("pattern/validation", 300, channels, size, 2),
          pattern_dataset("pattern/test", 300, channels, size, 3)};
}

TrainOptions quick(const std::string& spec, int epochs = 1) {
  TrainOptions options;
  options.model_spec = spec;
  options.hp.epochs = epochs;
  options.hp.batch_size = 64;
  options.threads = 1;  // unit tests share 2 cores with other test programs
  return options;
}

// A 2 W source with a counter in millijoules, advanced by the wall clock.
class SteadySource : public energy::Source {
 public:
  std::string name() const override { return "steady"; }
  std::vector<energy::DomainInfo> domains() const override {
    return {{"package-0", "estimate", energy::Kind::estimated, "2 W test source"}};
  }
  std::vector<energy::CounterRead> read() override {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
            .count();
    return {{static_cast<uint64_t>(ms * 2), 0, 1e-3, true}};
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

TEST(Trainer, LearnsAPatternAndReportsEveryEpoch) {
  auto split = pattern_split(1200);
  auto result = train(quick("densepoly", 2), split, nullptr);
  ASSERT_FALSE(result.diverged) << result.diverged_reason;
  ASSERT_EQ(result.epochs.size(), 2u);
  EXPECT_EQ(result.epochs[0].epoch, 1);
  EXPECT_EQ(result.epochs[1].epoch, 2);
  EXPECT_GT(result.test_accuracy, 0.9);
  EXPECT_GT(result.best_validation_accuracy, 0.9);
  EXPECT_LT(result.epochs[1].train_loss, result.epochs[0].train_loss);
  EXPECT_GT(result.epochs[0].images_per_second, 0);
  EXPECT_GT(result.epochs[0].train_seconds, 0);
  EXPECT_EQ(result.parameter_count, count_parameters("densepoly", 1, 28, 28));
  EXPECT_EQ(result.model_spec, "densepoly:linear=3,act=none");
}

TEST(Trainer, SameSeedSameResultOtherSeedDifferent) {
  auto split = pattern_split(400);
  auto options = quick("simplecnn:conv=1", 2);
  auto a = train(options, split, nullptr);
  auto b = train(options, split, nullptr);
  ASSERT_EQ(a.epochs.size(), 2u);
  ASSERT_EQ(b.epochs.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(a.epochs[e].train_loss, b.epochs[e].train_loss);
    EXPECT_EQ(a.epochs[e].validation_loss, b.epochs[e].validation_loss);
  }
  EXPECT_EQ(a.test_accuracy, b.test_accuracy);
  options.hp.seed = 99;
  auto c = train(options, split, nullptr);
  EXPECT_NE(a.epochs[0].train_loss, c.epochs[0].train_loss);
}

TEST(Trainer, DivergingLearningRateIsReportedNotThrown) {
  auto split = pattern_split(640);
  auto options = quick("densepoly", 3);
  options.hp.optimizer = "sgd";
  options.hp.lr = 1e6;
  TrainResult result;
  ASSERT_NO_THROW(result = train(options, split, nullptr));
  EXPECT_TRUE(result.diverged);
  EXPECT_THAT(result.diverged_reason, HasSubstr("epoch 1"));
  EXPECT_THAT(result.diverged_reason, HasSubstr("lr=1e+06"));
  // It stops at once: no further epochs.
  EXPECT_EQ(result.epochs.size(), 1u);
  EXPECT_FALSE(result.to_json()["diverged_reason"].get<std::string>().empty());
}

TEST(Trainer, LossReadEveryNBatchesStillStopsWithinNBatchesAtTheRightBatch) {
  // On CUDA the loss is read every N batches, not every batch; a NaN must still be caught within
  // N batches and reported at the batch where it happened. The same code runs on the CPU.
  auto split = pattern_split(2560);
  auto options = quick("densepoly", 1);
  options.hp.optimizer = "sgd";
  options.hp.lr = 40;
  options.profile_layers = false;
  auto run = [&](int interval, int64_t& batches_stepped) {
    options.loss_read_interval = interval;
    batches_stepped = 0;
    options.on_batch = [&](int, int64_t, int64_t) { ++batches_stepped; };
    return train(options, split, nullptr);
  };
  int64_t every_batch_steps = 0, every_seventh_steps = 0;
  const auto every_batch = run(1, every_batch_steps);
  const auto every_seventh = run(7, every_seventh_steps);
  ASSERT_TRUE(every_batch.diverged);
  ASSERT_TRUE(every_seventh.diverged);
  // Read every batch, training stops at the first bad loss: the batches before it were stepped.
  const std::string prefix = "training loss became ";
  ASSERT_THAT(every_batch.diverged_reason,
              HasSubstr(fmt::format("batch {} of 40", every_batch_steps + 1)));
  EXPECT_GT(every_batch_steps, 1) << "the test needs a loss that diverges after a few batches";
  // Read every 7 batches: the same batch is named, and at most 6 more were stepped.
  EXPECT_EQ(every_seventh.diverged_reason, every_batch.diverged_reason);
  EXPECT_GE(every_seventh_steps, every_batch_steps);
  EXPECT_LT(every_seventh_steps, every_batch_steps + 7);
  // The epoch's loss is the mean over the batches before the bad one, in both.
  EXPECT_EQ(every_seventh.epochs[0].train_loss, every_batch.epochs[0].train_loss);
}

TEST(Trainer, LayerSharesSumToOneAndAttributeTheEpochsJoules) {
  auto split = pattern_split(640);
  energy::Monitor monitor(
      [] {
        std::vector<std::unique_ptr<energy::Source>> sources;
        sources.push_back(std::make_unique<SteadySource>());
        return sources;
      }(),
      {});
  auto options = quick("simplecnn", 1);
  options.profile_batches = 4;
  auto result = train(options, split, &monitor);
  ASSERT_EQ(result.epochs.size(), 1u);
  const auto& epoch = result.epochs[0];
  EXPECT_EQ(epoch.train_energy.name, "epoch-1/train");
  EXPECT_EQ(epoch.eval_energy.name, "epoch-1/eval");
  EXPECT_GT(epoch.train_energy.total_joules, 0);
  EXPECT_NEAR(epoch.train_energy.total_joules, 2 * epoch.train_seconds,
              0.2 * epoch.train_seconds + 0.01);
  EXPECT_NEAR(epoch.joules_per_1000_images, epoch.train_energy.total_joules / 640 * 1000, 1e-9);
  double share = 0, joules = 0;
  std::map<std::string, double> by_type;
  for (const auto& l : epoch.layers) {
    share += l.time_share;
    joules += l.joules;
    by_type[l.layer_type] = l.time_share;
  }
  EXPECT_NEAR(share, 1.0, 1e-9);
  EXPECT_NEAR(joules, epoch.train_energy.total_joules, 1e-9);
  EXPECT_GT(by_type["conv"], 0);
  EXPECT_GT(by_type["linear"], 0);
  EXPECT_GT(by_type["batchnorm"], 0);
  EXPECT_GT(by_type["pool"], 0);
  EXPECT_NEAR(result.joules, epoch.train_energy.total_joules + epoch.eval_energy.total_joules,
              1e-9);
  auto json = result.to_json();
  EXPECT_EQ(json["epochs"][0]["train_energy"]["domains"][0]["kind"], "estimated");
  EXPECT_EQ(json["epochs"][0]["layers_attributed"].size(), epoch.layers.size());
}

TEST(Trainer, CallbackStopsEarly) {
  auto split = pattern_split(256);
  int calls = 0;
  auto result = train(quick("densepoly", 5), split, nullptr, [&](const EpochRecord& record) {
    ++calls;
    return record.epoch < 2;
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(result.epochs.size(), 2u);
  EXPECT_FALSE(result.diverged);
}

TEST(Trainer, Cifar10ShapedInput) {
  auto split = pattern_split(256, 3, 32);
  auto result = train(quick("simplecnn"), split, nullptr);
  EXPECT_FALSE(result.diverged);
  EXPECT_EQ(result.parameter_count, 3846388);
}

TEST(Trainer, BadInputsAreInputErrors) {
  auto split = pattern_split(64);
  auto options = quick("densepoly");
  options.device = "tpu";
  EXPECT_THROW(train(options, split, nullptr), InputError);
  if (!cuda_available()) {
    options.device = "cuda";
    try {
      train(options, split, nullptr);
      ADD_FAILURE() << "cuda without CUDA must be refused";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr("cuda"));
    }
  }
  options = quick("densepoly:linear=x");
  EXPECT_THROW(train(options, split, nullptr), InputError);
  data::Split empty;
  EXPECT_THROW(train(quick("densepoly"), empty, nullptr), InputError);
}

TEST(Trainer, ThreadsDefaultToEveryUsableCpu) {
  configure_threads(0);
  EXPECT_EQ(torch_threads(), system::describe_machine().logical_cpus);
  // OpenBLAS, where it is the BLAS in use, starts no pool of its own: the linear layers split
  // their GEMMs between LibTorch's threads, each calling OpenBLAS single-threaded.
  using GetThreads = int (*)();
  auto* blas_threads =
      reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (blas_threads) {
    EXPECT_EQ(blas_threads(), 1);
  }
  configure_threads(1);
  EXPECT_EQ(torch_threads(), 1);
  if (blas_threads) {
    EXPECT_EQ(blas_threads(), 1);
  }
}

TEST(Trainer, RealFashionMnistSubset) {
  data::LoadOptions load;
  load.train_subset = 3000;
  load.test_subset = 1000;
  data::Split split;
  try {
    split = data::load_split("fashion-mnist", load);
  } catch (const InputError& e) {
    GTEST_SKIP() << "FashionMNIST not installed: " << e.what();
  }
  auto options = quick("simplecnn", 2);
  options.hp.batch_size = 128;
  auto result = train(options, split, nullptr);
  ASSERT_FALSE(result.diverged) << result.diverged_reason;
  EXPECT_GT(result.test_accuracy, 0.65);
  EXPECT_GT(result.epochs.back().validation_accuracy, 0.65);
}
