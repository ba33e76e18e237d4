#include "greentune/command/runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "command_test_support.hpp"
#include "greentune/command/process_group.hpp"

namespace greentune::command {
namespace {

using testing::CommandTest;
using ::testing::HasSubstr;
using testing::process_gone;
using testing::slurp;
using testing::wait_for_file;
using testing::write_program;

const tune::Params kParams = {
    {"lr", 0.001}, {"batch_size", int64_t{64}}, {"act", std::string("relu")}};

CommandOutcome run(const CommandRuntime& r, const tune::Params& params = kParams, int number = 7) {
  return run_command_trial(r, params, number, {});
}

TEST_F(CommandTest, PlaceholdersAndEnvironmentReachTheProgram) {
  write_program(dir_ / "show.sh", R"(#!/bin/bash
printf '%s\n' "$@" > "$GREENTUNE_TRIAL_DIR/args"
env | grep -E '^(GREENTUNE_|CUDA_VISIBLE|MY_)' | sort > "$GREENTUNE_TRIAL_DIR/env"
pwd > "$GREENTUNE_TRIAL_DIR/pwd"
echo '{"score": 1}'
)");
  std::filesystem::create_directories(dir_ / "work");
  auto r = runtime(
      {"../show.sh", "--lr={lr}", "--bs={batch_size}", "{act}", "{{x}}", "{trial_number}:{study}"});
  r.config.workdir = "work";
  r.config.env = {{"MY_ACT", "act-{act}"}};
  GpuPool gpus({"3"}, 1);
  r.gpus = &gpus;
  r.study = "my study/../x";
  const auto out = run(r);
  ASSERT_TRUE(out.complete()) << out.failure;
  EXPECT_EQ(slurp(out.trial_dir / "args"), "--lr=0.001\n--bs=64\nrelu\n{x}\n7:my study/../x\n");
  // The study name is one plain folder: nothing climbs out of the trials folder.
  EXPECT_EQ(out.trial_dir, dir_ / "trials" / "my_study_.._x" / "7");
  const std::string env = slurp(out.trial_dir / "env");
  EXPECT_THAT(env, HasSubstr("GREENTUNE_PARAM_LR=0.001\n"));
  EXPECT_THAT(env, HasSubstr("GREENTUNE_PARAM_BATCH_SIZE=64\n"));
  EXPECT_THAT(env, HasSubstr("GREENTUNE_PARAM_ACT=relu\n"));
  EXPECT_THAT(env, HasSubstr("GREENTUNE_TRIAL_NUMBER=7\n"));
  EXPECT_THAT(env, HasSubstr("GREENTUNE_STUDY=my study/../x\n"));
  EXPECT_THAT(env, HasSubstr("GREENTUNE_TRIAL_DIR=" + out.trial_dir.string() + "\n"));
  EXPECT_THAT(env, HasSubstr("CUDA_VISIBLE_DEVICES=3\n"));
  EXPECT_THAT(env, HasSubstr("MY_ACT=act-relu\n"));
  const auto start = env.find("GREENTUNE_PARAMS=") + 17;
  auto params = nlohmann::json::parse(env.substr(start, env.find('\n', start) - start));
  EXPECT_EQ(params["lr"], 0.001);
  EXPECT_EQ(params["batch_size"], 64);
  EXPECT_EQ(params["act"], "relu");
  EXPECT_EQ(slurp(out.trial_dir / "pwd"), (dir_ / "work").string() + "\n");
  EXPECT_EQ(out.gpu, "3");

  // A second trial with the same number (another run of the study) gets a folder of its own.
  EXPECT_EQ(run(r).trial_dir, dir_ / "trials" / "my_study_.._x" / "7.2");
}

TEST_F(CommandTest, IntermediateReportsCarryStepTimeAndEnergy) {
  write_program(dir_ / "train.py", R"(#!/usr/bin/python3
import json, time
for epoch in range(1, 4):
    t = time.process_time()
    while time.process_time() - t < 0.05:
        pass
    print("epoch", epoch, "done")
    print(json.dumps({"epoch": epoch, "score": epoch / 10, "loss": 1 / epoch}), flush=True)
print(json.dumps({"epoch_count": 3}))
)");
  auto r = runtime({"./train.py"});
  r.config.step_key = "epoch";
  EnergyLedger ledger(std::make_unique<testing::CpuProportionalCounters>(),
                      std::chrono::milliseconds(50));
  r.ledger = &ledger;
  std::vector<StepReport> seen;
  const auto out = run_command_trial(r, kParams, 1, [&](const StepReport& s) {
    seen.push_back(s);
    return false;
  });
  ASSERT_TRUE(out.complete()) << out.failure;
  ASSERT_EQ(seen.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].step, i + 1);
    EXPECT_DOUBLE_EQ(seen[i].values.at(0), (i + 1) / 10.0);
    if (i > 0) {
      EXPECT_GE(seen[i].seconds, seen[i - 1].seconds);
      EXPECT_GE(seen[i].joules, seen[i - 1].joules);
    }
  }
  // Each epoch burnt 0.05 CPU-s of its own, so the trial's joules by then include 10 x that.
  EXPECT_GE(seen[2].joules, 3 * 0.05 * 10 * 0.9);
  ASSERT_TRUE(out.values);
  EXPECT_DOUBLE_EQ(out.values->at(0), 0.3);
  ASSERT_TRUE(out.energy);
  EXPECT_GE(out.energy->joules, seen[2].joules);
  EXPECT_EQ(out.energy->domains.at(0).domain.name, "package-0");
  // Other lines pass through to the log; report lines do not.
  const std::string log = slurp(out.log_file);
  EXPECT_THAT(log, HasSubstr("epoch 2 done\n"));
  EXPECT_THAT(log, HasSubstr("{\"epoch_count\": 3}\n"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("\"score\"")));
}

TEST_F(CommandTest, AFinalLineGivesTheValueAndReservedMetricsAreMeasured) {
  write_program(dir_ / "final.sh", R"(#!/bin/bash
echo '{"score": 0.5}'
echo '{"score": 0.9, "final": true}'
echo '{"score": 0.1}'
)");
  auto r = runtime({"./final.sh"});
  r.config.metrics = {"score", "seconds", "joules"};
  EnergyLedger ledger(std::make_unique<testing::CpuProportionalCounters>(),
                      std::chrono::milliseconds(0));
  r.ledger = &ledger;
  std::vector<int64_t> steps;
  const auto out = run_command_trial(r, kParams, 1, [&](const StepReport& s) {
    steps.push_back(s.step);
    EXPECT_EQ(s.values.size(), 3u);
    return false;
  });
  ASSERT_TRUE(out.complete()) << out.failure;
  EXPECT_EQ(steps, (std::vector<int64_t>{1, 2}));  // without a step key, reports are numbered
  ASSERT_EQ(out.values->size(), 3u);
  EXPECT_DOUBLE_EQ(out.values->at(0), 0.9);
  EXPECT_DOUBLE_EQ(out.values->at(1), out.seconds);
  EXPECT_DOUBLE_EQ(out.values->at(2), out.energy->joules);
}

TEST_F(CommandTest, ACrashingProgramFailsWithItsExitCodeAndStderrTail) {
  write_program(dir_ / "crash.sh", R"(#!/bin/bash
echo '{"score": 0.5}'
head -c 10000 /dev/zero | tr '\0' 'x' >&2
echo 'Traceback: something broke' >&2
exit 3
)");
  const auto out = run(runtime({"./crash.sh"}));
  EXPECT_FALSE(out.complete());
  EXPECT_EQ(out.ending, Ending::exited);
  EXPECT_EQ(out.exit_code, 3);
  EXPECT_EQ(out.failure, "exit code 3");
  EXPECT_EQ(out.stderr_tail.size(), 4096u);
  EXPECT_THAT(out.stderr_tail, HasSubstr("Traceback: something broke\n"));
  EXPECT_THAT(slurp(out.log_file), HasSubstr("Traceback: something broke"));
}

TEST_F(CommandTest, AProgramKilledByASignalFails) {
  write_program(dir_ / "segv.sh", "#!/bin/bash\necho '{\"score\": 1}'\nkill -SEGV $$\n");
  const auto out = run(runtime({"./segv.sh"}));
  EXPECT_EQ(out.ending, Ending::signalled);
  EXPECT_EQ(out.signal, SIGSEGV);
  EXPECT_EQ(out.failure, "killed by SIGSEGV");
}

TEST_F(CommandTest, AProgramThatPrintsNoValueFails) {
  write_program(dir_ / "quiet.sh", "#!/bin/bash\necho 'all done'\necho '{\"loss\": 1}'\n");
  const auto out = run(runtime({"./quiet.sh"}));
  EXPECT_FALSE(out.complete());
  EXPECT_THAT(out.failure, HasSubstr("exited 0 without a value: no JSON line on stdout held "
                                     "\"score\""));
}

TEST_F(CommandTest, ANonFiniteValueFails) {
  write_program(dir_ / "nan.py", "#!/usr/bin/python3\nprint('{\"score\": NaN}')\n");
  const auto out = run(runtime({"./nan.py"}));
  EXPECT_FALSE(out.complete());
  EXPECT_EQ(out.failure, "score is NaN");
}

TEST_F(CommandTest, AMissingProgramFailsToStart) {
  auto r = runtime({"./no-such-program"});
  const auto out = run(r);
  EXPECT_EQ(out.ending, Ending::not_started);
  EXPECT_THAT(out.failure, HasSubstr("cannot run './no-such-program'"));
  EXPECT_THROW(check_program_exists(r), InputError);
  EXPECT_THROW(check_program_exists(runtime({"no-such-program-in-path"})), InputError);
  EXPECT_NO_THROW(check_program_exists(runtime({"bash"})));
}

TEST_F(CommandTest, AHangingProgramIsStoppedByTheTimeout) {
  write_program(dir_ / "hang.sh", R"(#!/bin/bash
echo $$ > "$GREENTUNE_TRIAL_DIR/pid"
echo '{"score": 0.2}'
sleep 1000
)");
  auto r = runtime({"./hang.sh"});
  r.config.timeout_seconds = 0.5;
  const auto out = run(r);
  EXPECT_EQ(out.ending, Ending::timed_out);
  EXPECT_THAT(out.failure, HasSubstr("timed out"));
  EXPECT_FALSE(group_alive(std::stoi(slurp(out.trial_dir / "pid"))));
}

TEST_F(CommandTest, AProgramIgnoringSigtermIsKilledAfterTheGracePeriod) {
  write_program(dir_ / "stubborn.sh", R"(#!/bin/bash
trap '' TERM
echo $$ > "$GREENTUNE_TRIAL_DIR/pid"
while true; do sleep 0.1; done
)");
  auto r = runtime({"./stubborn.sh"});
  r.config.timeout_seconds = 0.3;
  r.config.grace_seconds = 0.3;
  const auto out = run(r);
  EXPECT_EQ(out.ending, Ending::timed_out);
  EXPECT_FALSE(group_alive(std::stoi(slurp(out.trial_dir / "pid"))));
}

TEST_F(CommandTest, GarbageVeryLongLinesAndBinaryOutputDoNotHurt) {
  write_program(dir_ / "noisy.py", R"(#!/usr/bin/python3
import sys
out = sys.stdout.buffer
out.write(b"\xff\xfe\x00garbage {not json\n")
out.write(b"{\"score\": 0.1, \"epoch\": ")  # a report cut short by a newline
out.write(b"\n")
out.write(b"y" * (3 * 1024 * 1024) + b"\n")  # 3 MiB in one line
out.write(b"{\"score\": 0.7}\n")
out.write(b"{\"score\": 0.8")  # the last line has no newline, and is cut
sys.stderr.buffer.write(b"\xc3\x28 invalid utf-8 on stderr\n")
)");
  auto r = runtime({"./noisy.py"});
  r.max_line_bytes = 64 * 1024;
  const auto out = run(r);
  ASSERT_TRUE(out.complete()) << out.failure;
  EXPECT_DOUBLE_EQ(out.values->at(0), 0.7);
  const std::string log = slurp(out.log_file);
  EXPECT_GT(log.size(), 3u * 1024 * 1024);
  EXPECT_THAT(log, HasSubstr("garbage {not json\n"));
  EXPECT_THAT(out.stderr_tail, HasSubstr("invalid utf-8 on stderr"));
  EXPECT_NO_THROW(nlohmann::json(out.stderr_tail).dump());  // stores keep JSON: valid UTF-8
}

// Children, grandchildren and an orphan (whose parent exited) are all counted, and all stopped
// when the program ends.
TEST_F(CommandTest, EveryDescendantIsCountedAndStopped) {
  write_program(dir_ / "burn.py", R"(#!/usr/bin/python3
import sys, time
while time.process_time() < 0.3:
    pass
open(sys.argv[1], "w").write(str(time.process_time()))
)");
  write_program(dir_ / "family.sh", R"(#!/bin/bash
cd "$GREENTUNE_TRIAL_DIR"
echo $$ > pgid
../../../burn.py child1 &
bash -c '../../../burn.py grandchild' &
( ../../../burn.py orphan & )         # its parent exits at once
wait
while [ ! -e orphan ]; do sleep 0.05; done
sleep 1000 & echo $! > sleeper                               # left running
bash -c 'sleep 1000 & echo $! > deep; wait' & echo $! > middle
while [ ! -s deep ]; do sleep 0.05; done
echo '{"score": 1}'
)");
  auto r = runtime({"./family.sh"});
  EnergyLedger ledger(std::make_unique<testing::CpuProportionalCounters>(),
                      std::chrono::milliseconds(50));
  r.ledger = &ledger;
  const auto out = run(r);
  ASSERT_TRUE(out.complete()) << out.failure;
  double burnt = 0;
  for (const char* name : {"child1", "grandchild", "orphan"}) {
    burnt += std::stod(slurp(out.trial_dir / name));
  }
  ASSERT_TRUE(out.energy);
  EXPECT_GE(out.energy->cpu_seconds, burnt - 0.05);
  for (const char* name : {"sleeper", "deep", "middle"}) {
    EXPECT_TRUE(process_gone(std::stoi(slurp(out.trial_dir / name)))) << name;
  }
  EXPECT_FALSE(group_alive(std::stoi(slurp(out.trial_dir / "pgid"))));
}

TEST_F(CommandTest, APrunedTrialIsStoppedAndKeepsItsReports) {
  write_program(dir_ / "long.py", R"(#!/usr/bin/python3
import json, os, time
open(os.environ["GREENTUNE_TRIAL_DIR"] + "/pid", "w").write(str(os.getpid()))
for epoch in range(1, 1000):
    print(json.dumps({"epoch": epoch, "score": 0.01}), flush=True)
    time.sleep(0.02)
)");
  auto r = runtime({"./long.py"});
  r.config.step_key = "epoch";
  const auto out =
      run_command_trial(r, kParams, 1, [](const StepReport& s) { return s.step >= 3; });
  EXPECT_EQ(out.ending, Ending::pruned);
  EXPECT_EQ(out.failure, "pruned after step 3");
  ASSERT_GE(out.reports.size(), 3u);
  EXPECT_EQ(out.reports[2].step, 3);
  EXPECT_FALSE(group_alive(std::stoi(slurp(out.trial_dir / "pid"))));
}

TEST_F(CommandTest, TheStopSwitchInterruptsRunningTrials) {
  write_program(dir_ / "wait.sh", R"(#!/bin/bash
echo $$ > "$GREENTUNE_TRIAL_DIR/pid"
sleep 1000
)");
  StopSwitch stop;
  auto r = runtime({"./wait.sh"});
  r.stop = &stop;
  std::thread trigger([&] {
    if (wait_for_file(dir_ / "trials" / "study" / "1" / "pid")) stop.trigger();
  });
  const auto out = run_command_trial(r, kParams, 1, {});
  trigger.join();
  EXPECT_EQ(out.ending, Ending::interrupted);
  EXPECT_FALSE(group_alive(std::stoi(slurp(out.trial_dir / "pid"))));
  EXPECT_TRUE(stop.wait_until_idle(std::chrono::seconds(0)));
  EXPECT_EQ(run_command_trial(r, kParams, 2, {}).ending, Ending::interrupted);
}

// A report the study cannot store (its database gone, say) ends the run with that error, and
// leaves no process of the trial behind.
TEST_F(CommandTest, AnErrorWhileReportingLeavesNoProcessBehind) {
  write_program(dir_ / "report-then-wait.sh", R"(#!/bin/bash
echo $$ > "$GREENTUNE_TRIAL_DIR/pid"
sleep 1000 &
echo $! > "$GREENTUNE_TRIAL_DIR/child"
echo '{"score": 0.5}'
wait
)");
  auto r = runtime({"./report-then-wait.sh"});
  EnergyLedger ledger(std::make_unique<testing::CpuProportionalCounters>(),
                      std::chrono::milliseconds(0));
  r.ledger = &ledger;
  EXPECT_THROW(run_command_trial(r, kParams, 1,
                                 [](const StepReport&) -> bool {
                                   throw std::runtime_error("database is locked");
                                 }),
               std::runtime_error);
  const auto trial_dir = dir_ / "trials" / "study" / "1";
  EXPECT_TRUE(process_gone(std::stoi(slurp(trial_dir / "pid"))));
  ASSERT_TRUE(wait_for_file(trial_dir / "child"));
  const pid_t child = std::stoi(slurp(trial_dir / "child"));
  for (int i = 0; i < 200 && !process_gone(child); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // reaped by init or by us
  }
  EXPECT_TRUE(process_gone(child));
}

TEST(GpuPool, HandsOutTheLeastBusyGpuAndNeverMoreThanAllowed) {
  GpuPool pool(parse_gpu_list("0,1"), 2);
  auto a = pool.acquire(nullptr);
  auto b = pool.acquire(nullptr);
  auto c = pool.acquire(nullptr);
  EXPECT_EQ(a->gpu(), "0");
  EXPECT_EQ(b->gpu(), "1");
  EXPECT_EQ(c->gpu(), "0");
  auto d = pool.acquire(nullptr);
  EXPECT_EQ(d->gpu(), "1");
  StopSwitch stop;
  stop.trigger();
  EXPECT_FALSE(pool.acquire(&stop));  // full: waits, and gives up once stopped
  b.reset();
  EXPECT_EQ(pool.acquire(nullptr)->gpu(), "1");
  EXPECT_THROW(parse_gpu_list("0,,1"), InputError);
  EXPECT_THROW(parse_gpu_list("0,0"), InputError);
}

}  // namespace
}  // namespace greentune::command
