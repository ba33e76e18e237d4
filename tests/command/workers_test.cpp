// Several workers on one SQLite study, as `greentune tune --workers 4` runs them: one thread each,
// each with its own store connection and Study, all sharing one energy ledger.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "command_test_support.hpp"
#include "greentune/command/objective.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/tune/samplers.hpp"
#include "greentune/tune/study.hpp"

namespace greentune::command {
namespace {

using testing::CommandTest;
using testing::write_program;

TEST_F(CommandTest, FourWorkersShareOneSqliteStudyAndEachTrialHasItsOwnEnergy) {
  // Half the trials burn 0.3 s of CPU, the others sleep: only the burners' CPU may reach them.
  write_program(dir_ / "work.py", R"(#!/usr/bin/python3
import os, sys, time
if sys.argv[1] == "burn":
    while time.process_time() < 0.3:
        pass
else:
    time.sleep(0.3)
open(os.environ["GREENTUNE_TRIAL_DIR"] + "/cpu", "w").write(str(time.process_time()))
print('{"score": %s}' % os.environ["GREENTUNE_PARAM_X"])
)");
  auto runtime = std::make_shared<CommandRuntime>(this->runtime({"./work.py", "{kind}"}));
  auto counters = std::make_unique<testing::CpuProportionalCounters>();
  auto* counter_view = counters.get();
  const double joules_before = counter_view->joules()[0];
  EnergyLedger ledger(std::move(counters), std::chrono::milliseconds(50));
  runtime->ledger = &ledger;

  tune::StudyOptions options;
  options.name = "workers";
  options.objective = "command";
  options.direction = tune::Direction::maximize;
  options.rounds = 12;
  options.space.params.push_back({"x", tune::ParamType::real, 0, 1, false, 0, {}});
  options.space.params.push_back(
      {"kind", tune::ParamType::categorical, 0, 1, false, 0, {"burn", "sleep"}});
  const std::string url = "sqlite:" + (dir_ / "study.db").string();

  std::vector<std::thread> workers;
  std::vector<std::string> errors(4);
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      try {
        auto storage = store::open_storage(url);
        tune::Study study(*storage, options, tune::make_sampler("random", {}));
        study.optimize(make_command_objective(runtime), 100);
      } catch (const std::exception& e) {
        errors[w] = e.what();
      }
    });
  }
  for (auto& t : workers) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  const double joules_spent = counter_view->joules()[0] - joules_before;

  auto storage = store::open_storage(url);
  const auto study = storage->find_study("workers");
  ASSERT_TRUE(study);
  const auto trials = storage->trials(study->id);
  ASSERT_EQ(trials.size(), 12u);
  std::set<int> numbers;
  double joules_of_trials = 0;
  int burners = 0, sleepers = 0;
  for (const auto& t : trials) {
    EXPECT_TRUE(numbers.insert(t.number).second) << "trial number " << t.number << " twice";
    ASSERT_EQ(t.state, tune::TrialState::complete) << t.error;
    EXPECT_DOUBLE_EQ(*t.value(), std::get<double>(t.params.at("x")));
    joules_of_trials += t.joules;
    // 10 J per CPU-second: a burner is charged for its own 0.3 s (a little less when the machine's
    // and the trials' CPU clocks are read a moment apart), a sleeper for almost nothing.
    if (std::get<std::string>(t.params.at("kind")) == "burn") {
      ++burners;
      EXPECT_GE(t.joules, 2.0) << "trial " << t.number;
    } else {
      ++sleepers;
      EXPECT_LT(t.joules, 1.0) << "trial " << t.number;
    }
    EXPECT_EQ(t.attributes["energy_attribution"], "cpu-time-share");
    ASSERT_TRUE(t.conditions.cpu_share);
    EXPECT_GE(*t.conditions.cpu_share, 0);
    EXPECT_LE(*t.conditions.cpu_share, 1);
  }
  // Nothing is counted twice: the trials together used no more than the machine.
  EXPECT_LE(joules_of_trials, joules_spent + 1e-6);
  RecordProperty("burners", burners);
  RecordProperty("sleepers", sleepers);
}

}  // namespace
}  // namespace greentune::command
