// The Study over a real SQLite store: rounds, continuation, failures, progress figures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cmath>
#include <set>
#include <thread>

#include "greentune/common/error.hpp"
#include "greentune/store/sqlite_storage.hpp"
#include "greentune/tune/study.hpp"
#include "store/store_test_support.hpp"

using namespace greentune;
using store_test::TempDir;

namespace {

// Proposes x = 0, 1, 2, ... : the first value no trial in the history has.
class CountingSampler final : public tune::Sampler {
 public:
  std::string name() const override { return "counting"; }
  std::optional<tune::Params> propose(const tune::SamplerContext& context) override {
    std::set<int64_t> taken;
    for (const auto& t : context.history) taken.insert(std::get<int64_t>(t.params.at("x")));
    for (int64_t x = 0; x < 100; ++x) {
      if (!taken.count(x)) return tune::Params{{"x", x}};
    }
    return std::nullopt;
  }
};

tune::StudyOptions options(int rounds) {
  tune::StudyOptions o;
  o.name = "s";
  o.objective = "test";
  o.rounds = rounds;
  o.direction = tune::Direction::minimize;
  o.space.params.push_back({"x", tune::ParamType::integer, 0, 99, false, 1, {}});
  return o;
}

tune::ObjectiveResult value_of(const tune::Params& params, tune::TrialContext&) {
  tune::ObjectiveResult r;
  int64_t x = std::get<int64_t>(params.at("x"));
  r.values = {static_cast<double>((x - 3) * (x - 3))};
  r.energy = {{"package-0", "estimated", "test", 2.0}};
  return r;
}

// Two objectives (x, (x - 3)^2), both minimised: the progress carries the front's size and
// hypervolume, not a best value, and the store keeps both directions and metrics.
TEST(Study, SeveralObjectivesReportTheFrontInsteadOfABest) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(5);
  o.objectives.directions = {tune::Direction::minimize, tune::Direction::minimize};
  o.objectives.metrics = {"x", "gap"};
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  EXPECT_EQ(storage.find_study("s")->directions.size(), 2u);
  EXPECT_EQ(storage.find_study("s")->metrics, (std::vector<std::string>{"x", "gap"}));
  std::vector<int> sizes;
  std::vector<double> volumes;
  study.optimize(
      [](const tune::Params& params, tune::TrialContext&) {
        tune::ObjectiveResult r;
        const auto x = static_cast<double>(std::get<int64_t>(params.at("x")));
        r.values = {x, (x - 3) * (x - 3)};
        return r;
      },
      100,
      [&](const tune::Progress& p) {
        EXPECT_FALSE(p.best);
        ASSERT_TRUE(p.front_size && p.hypervolume);
        sizes.push_back(*p.front_size);
        volumes.push_back(*p.hypervolume);
      });
  // (4, 1) is dominated by (3, 0).
  EXPECT_EQ(sizes, (std::vector<int>{1, 2, 3, 4, 4}));
  // Against the inferred reference after five trials (4.4, 9.9): hand-computed slabs.
  EXPECT_NEAR(volumes.back(), 1 * 0.9 + 1 * 5.9 + 1 * 8.9 + 1.4 * 9.9, 1e-9);
}

// A constraint on the trial's joules (2 J per unit of x) keeps x > 2 out of the best, although
// x = 3 has the best value.
TEST(Study, ConstraintsKeepInfeasibleTrialsOutOfTheBest) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(5);
  o.objectives.constraints = {tune::parse_constraint("joules", "<= 5")};
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  std::vector<double> best;
  study.optimize(
      [](const tune::Params& params, tune::TrialContext& context) {
        auto r = value_of(params, context);
        r.energy[0].joules = 2.0 * static_cast<double>(std::get<int64_t>(params.at("x")));
        return r;
      },
      100, [&](const tune::Progress& p) { best.push_back(p.best.value_or(-1)); });
  EXPECT_EQ(best, (std::vector<double>{9, 4, 1, 1, 1}));
  ASSERT_TRUE(study.best_trial());
  EXPECT_EQ(study.best_trial()->number, 3);  // x = 2
}

TEST(Study, OptimizeRunsTheRoundsAndReportsProgress) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  tune::Study study(storage, options(5), std::make_unique<CountingSampler>());
  std::vector<tune::Progress> seen;
  std::vector<double> best;
  auto done = study.optimize(value_of, 100, [&](const tune::Progress& p) {
    seen.push_back(p);
    best.push_back(*p.best);
  });
  ASSERT_EQ(done.size(), 5u);  // stopped by rounds, not by n
  ASSERT_EQ(seen.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(seen[i].round, i + 1);
    EXPECT_EQ(seen[i].rounds, 5);
    EXPECT_DOUBLE_EQ(seen[i].joules, 2.0 * (i + 1));
  }
  EXPECT_EQ(best, (std::vector<double>{9, 4, 1, 0, 0}));
  EXPECT_EQ(seen.back().eta_seconds, 0);
  EXPECT_EQ(study.best_trial()->number, 4);  // x = 3, the fourth trial
  EXPECT_EQ(study.finished_count(), 5);
  EXPECT_FALSE(study.ask());  // the study has its rounds
}

TEST(Study, ReopeningContinuesUpToRounds) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  {
    tune::Study study(storage, options(6), std::make_unique<CountingSampler>());
    EXPECT_EQ(study.optimize(value_of, 2).size(), 2u);
  }
  tune::Study again(storage, options(6), std::make_unique<CountingSampler>());
  EXPECT_EQ(again.finished_count(), 2);
  EXPECT_EQ(again.optimize(value_of, 100).size(), 4u);
  auto trials = again.trials();
  ASSERT_EQ(trials.size(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(std::get<int64_t>(trials[i].params.at("x")), i);
}

TEST(Study, RetryableFailureIsProposedAgainOtherFailuresMoveOn) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  tune::Study study(storage, options(3), std::make_unique<CountingSampler>());
  auto first = study.ask();
  ASSERT_TRUE(first);
  study.tell_failed(*first, "worker lost", /*retry=*/true);
  auto retry = study.ask();
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->number, 2);
  EXPECT_EQ(std::get<int64_t>(retry->params.at("x")), 0);  // the failed point, again
  tune::ObjectiveResult ok;
  ok.values = {1};
  study.tell(*retry, ok);
  // Telling twice is refused: a result is never counted twice.
  EXPECT_THROW(study.tell(*retry, ok), tune::TrialNotRunningError);

  auto crashing = study.ask();
  ASSERT_TRUE(crashing);
  EXPECT_EQ(std::get<int64_t>(crashing->params.at("x")), 1);
  study.tell_failed(*crashing, "out of memory");  // the point's own fault: not retried
  study.optimize(value_of, 10);
  auto trials = study.trials();
  ASSERT_EQ(trials.size(), 5u);
  EXPECT_EQ(trials[0].state, tune::TrialState::failed);
  EXPECT_EQ(trials[2].state, tune::TrialState::failed);
  EXPECT_THAT(trials[2].error, ::testing::HasSubstr("out of memory"));
  EXPECT_FALSE(trials[2].retry);
  EXPECT_TRUE(trials[0].retry);
  EXPECT_EQ(std::get<int64_t>(trials[3].params.at("x")), 2);
  EXPECT_EQ(std::get<int64_t>(trials[4].params.at("x")), 3);
  EXPECT_EQ(study.finished_count(), 3);  // failures are not rounds
}

TEST(Study, ObjectiveExceptionFailsTheTrialAndPropagates) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  tune::Study study(storage, options(3), std::make_unique<CountingSampler>());
  auto throwing = [](const tune::Params&, tune::TrialContext&) -> tune::ObjectiveResult {
    throw InputError("bad model spec 'cnn:x'");
  };
  EXPECT_THROW(study.optimize(throwing, 3), InputError);
  auto trials = study.trials();
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].state, tune::TrialState::failed);
  EXPECT_THAT(trials[0].error, ::testing::HasSubstr("cnn:x"));
  EXPECT_TRUE(trials[0].retry);
  // Once the cause is fixed, the same point runs first.
  auto done = study.optimize(value_of, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(done[0].params.at("x")), 0);
}

TEST(Study, RepeatedFailuresStopTheStudy) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(10);
  o.max_consecutive_failures = 3;
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  auto failing = [](const tune::Params&, tune::TrialContext&) {
    tune::ObjectiveResult r;
    r.state = tune::TrialState::failed;
    return r;
  };
  EXPECT_THROW(study.optimize(failing, 100), Error);
  EXPECT_EQ(study.trials().size(), 3u);
}

TEST(Study, NonFiniteValueIsStoredAsDiverged) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  tune::Study study(storage, options(1), std::make_unique<CountingSampler>());
  study.optimize(
      [](const tune::Params&, tune::TrialContext&) {
        tune::ObjectiveResult r;
        r.values = {std::nan("")};
        return r;
      },
      1);
  auto trials = study.trials();
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].state, tune::TrialState::diverged);
  EXPECT_FALSE(trials[0].value());
  EXPECT_TRUE(trials[0].values.empty());
  EXPECT_FALSE(trials[0].error.empty());
  EXPECT_FALSE(study.best_trial());
}

TEST(Study, HeartbeatKeepsALongTrialAliveAndReportsGoToStorage) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(1);
  o.heartbeat_seconds = 0.05;
  o.stale_seconds = 0.3;
  tune::Study study(storage, o, std::make_unique<CountingSampler>());
  study.optimize(
      [&](const tune::Params& params, tune::TrialContext& context) {
        for (int step = 1; step <= 3; ++step) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          context.report(step, step * 0.1);
          // Longer than stale_seconds in all, but the heartbeat keeps it alive.
          EXPECT_TRUE(storage.fail_stale_trials(study.info().id, o.stale_seconds).empty());
        }
        tune::ObjectiveResult r;
        r.values = {static_cast<double>(std::get<int64_t>(params.at("x")))};
        return r;
      },
      1);
  auto trials = study.trials();
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].state, tune::TrialState::complete);
  ASSERT_EQ(trials[0].intermediate.size(), 3u);
  ASSERT_EQ(trials[0].intermediate[2].values.size(), 1u);
  EXPECT_DOUBLE_EQ(trials[0].intermediate[2].values[0], 0.3);
  // The study fills in the time since the trial started; the seconds only grow.
  EXPECT_GT(trials[0].intermediate[0].seconds, 0.0);
  EXPECT_GE(trials[0].intermediate[2].seconds, trials[0].intermediate[0].seconds);
  EXPECT_TRUE(std::isnan(trials[0].intermediate[2].joules));  // nobody measured them
}

// Regression (issue 11): an interrupted trial was stored with 0 J and 0 s. It keeps what its
// usage probe says it used, both when the objective throws and when another thread (a signal
// handler) fails it while it runs.
TEST(Study, InterruptedTrialKeepsWhatItsProbeMeasured) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  tune::Study study(storage, options(3), std::make_unique<CountingSampler>());
  auto throwing = [](const tune::Params&, tune::TrialContext& context) -> tune::ObjectiveResult {
    context.set_usage_probe([] {
      return tune::Usage{3.5, 42.0, {{"cpu", "estimated", "estimate", 42.0}}};
    });
    throw IoError("disk full");
  };
  EXPECT_THROW(study.optimize(throwing, 1), IoError);
  auto failed = study.trials().at(0);
  EXPECT_EQ(failed.state, tune::TrialState::failed);
  EXPECT_DOUBLE_EQ(failed.seconds, 3.5);
  EXPECT_DOUBLE_EQ(failed.joules, 42.0);
  ASSERT_EQ(failed.energy.size(), 1u);
  EXPECT_EQ(failed.energy[0].name, "cpu");

  // Failed from another thread while the objective still runs, as SignalGuard does.
  std::atomic<bool> probing{false};
  std::thread interrupter;
  auto waiting = [&](const tune::Params&, tune::TrialContext& context) {
    context.set_usage_probe([] { return tune::Usage{7.0, 70.0, {}}; });
    probing = true;
    interrupter.join();  // the interruption is over before the objective returns
    tune::ObjectiveResult r;
    r.values = {1.0};
    return r;
  };
  interrupter = std::thread([&] {
    while (!probing) std::this_thread::yield();
    study.fail_open_trials("interrupted by SIGINT");
  });
  EXPECT_TRUE(study.optimize(waiting, 1).empty());  // its own result came too late to count
  auto interrupted = study.trials().at(1);
  EXPECT_EQ(interrupted.state, tune::TrialState::failed);
  EXPECT_TRUE(interrupted.retry);
  EXPECT_EQ(interrupted.error, "interrupted by SIGINT");
  EXPECT_DOUBLE_EQ(interrupted.seconds, 7.0);
  EXPECT_DOUBLE_EQ(interrupted.joules, 70.0);
}

TEST(Study, HeartbeatMustBeWellInsideTheStaleLimit) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(1);
  o.heartbeat_seconds = 10;
  o.stale_seconds = 15;
  EXPECT_THROW(tune::Study(storage, o, std::make_unique<CountingSampler>()), InputError);
}

// The InputError message of making a Study with `o`, or "" when it is made.
std::string study_error(tune::Storage& storage, const tune::StudyOptions& o) {
  try {
    tune::Study study(storage, o, std::make_unique<CountingSampler>());
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Study, ValidatesASpaceBuiltThroughTheApiAsTheConfigParserDoes) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(1);
  // ParamSpec's default step is 0: random proposals of such an int parameter were INT64_MIN.
  o.space.params = {{"n", tune::ParamType::integer, 1, 10, false, 0, {}}};
  EXPECT_THAT(study_error(storage, o), ::testing::AllOf(::testing::HasSubstr("study 's'"),
                                                        ::testing::HasSubstr("space.n.step")));
  o.space.params = {{"x", tune::ParamType::real, -1e308, 1e308, false, 0, {}}};
  EXPECT_THAT(study_error(storage, o), ::testing::HasSubstr("high - low"));
  o.space.params = {};
  EXPECT_THAT(study_error(storage, o), ::testing::HasSubstr("at least one parameter"));
  EXPECT_TRUE(storage.studies().empty());  // nothing reached the store
}

TEST(Study, NamesAndGroupsMustBePrintable) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(1);
  o.name = std::string("a\0b", 3);
  EXPECT_THAT(study_error(storage, o), ::testing::HasSubstr("study name \"a\\u0000b\""));
  o.name = "ok";
  o.group = "two\nlines";
  EXPECT_THAT(study_error(storage, o), ::testing::HasSubstr("study group"));
  EXPECT_TRUE(storage.studies().empty());
}

TEST(Study, ReopeningWithAnotherStrategyIsRefusedNamingBoth) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto o = options(2);
  o.strategy = "bayes";
  { tune::Study study(storage, o, std::make_unique<CountingSampler>()); }
  o.strategy = "random";
  EXPECT_THAT(study_error(storage, o),
              ::testing::AllOf(::testing::HasSubstr("strategy bayes, not random"),
                               ::testing::HasSubstr("study 's'")));
  o.strategy = "bayes";
  EXPECT_EQ(study_error(storage, o), "");
  ASSERT_EQ(storage.studies().size(), 1u);
  EXPECT_EQ(storage.studies()[0].strategy, "bayes");
}

}  // namespace

// Regression: the guard's thread slept in a 200 ms poll, so every `tune` waited for it at exit.
// Its poll now has no timeout: a destructor that did not wake it would hang here (ctest's timeout).
TEST(SignalGuard, DestructionWakesItsThreadAndRestoresTheHandlers) {
  struct sigaction before {};
  sigaction(SIGTERM, nullptr, &before);
  for (int i = 0; i < 3; ++i) {
    tune::SignalGuard guard([](int) {});
    struct sigaction during {};
    sigaction(SIGTERM, nullptr, &during);
    EXPECT_NE(during.sa_handler, before.sa_handler);
  }
  struct sigaction after {};
  sigaction(SIGTERM, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}
