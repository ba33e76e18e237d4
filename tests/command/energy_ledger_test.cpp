#include "greentune/command/energy_ledger.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace greentune::command {
namespace {

const std::vector<LedgerDomain> kDomains = {
    {"package-0", "powercap", "measured", false, false},
    {"core-0", "powercap", "measured", true, false},
    {"gpu-0", "nvml", "measured", false, true},
    {"gpu-1", "nvml", "measured", false, true},
};

TEST(AttributeInterval, CpuDomainsSplitByShareOfBusyCpuTime) {
  // 4 CPU-seconds busy in all: trial A used 2, trial B 1, other processes 1.
  auto out = attribute_interval(
      kDomains, {100, 40, 0, 0}, 4.0,
      {{2.0, {false, false, false, false}}, {1.0, {false, false, false, false}}});
  EXPECT_DOUBLE_EQ(out[0][0], 50);
  EXPECT_DOUBLE_EQ(out[1][0], 25);  // the other processes' 25 J go to no trial
  EXPECT_DOUBLE_EQ(out[0][1], 20);
  EXPECT_DOUBLE_EQ(out[1][1], 10);
}

TEST(AttributeInterval, NeverHandsOutMoreThanTheInterval) {
  // /proc/stat read a moment before the trials: their sum is larger than the machine's.
  auto out = attribute_interval(kDomains, {90, 0, 0, 0}, 1.0, {{2.0, {}}, {1.0, {}}});
  EXPECT_DOUBLE_EQ(out[0][0] + out[1][0], 90);
  EXPECT_DOUBLE_EQ(out[0][0], 60);
}

TEST(AttributeInterval, IdleIntervalsAreSplitEvenly) {
  auto out = attribute_interval(kDomains, {10, 0, 0, 0}, 0.0, {{0, {}}, {0, {}}});
  EXPECT_DOUBLE_EQ(out[0][0], 5);
  EXPECT_DOUBLE_EQ(out[1][0], 5);
}

TEST(AttributeInterval, GpusGoToTheTrialsGivenThem) {
  auto out = attribute_interval(kDomains, {0, 0, 300, 80}, 1.0,
                                {{0.5, {false, false, true, false}},
                                 {0.5, {false, false, true, true}},
                                 {0.0, {false, false, false, false}}});
  EXPECT_DOUBLE_EQ(out[0][2], 150);  // gpu-0 shared by two trials
  EXPECT_DOUBLE_EQ(out[1][2], 150);
  EXPECT_DOUBLE_EQ(out[1][3], 80);  // gpu-1 to the one trial that has it
  EXPECT_DOUBLE_EQ(out[2][2] + out[2][3], 0);
}

// Counters the test moves by hand: joules per domain and the machine's busy CPU time.
class FakeCounters : public MachineCounters {
 public:
  FakeCounters(std::vector<double>* joules, double* busy) : joules_(joules), busy_(busy) {}
  std::vector<LedgerDomain> domains() const override { return kDomains; }
  std::vector<double> joules() override { return *joules_; }
  double busy_cpu_seconds() override { return *busy_; }

 private:
  std::vector<double>* joules_;
  double* busy_;
};

TEST(EnergyLedger, OverlappingTrialsEachGetTheirOwnShare) {
  std::vector<double> joules = {1000, 500, 7000, 9000};  // what was counted before: nobody's
  double busy = 50;
  EnergyLedger ledger(std::make_unique<FakeCounters>(&joules, &busy), std::chrono::milliseconds(0));
  double cpu_a = 10, cpu_b = 0;
  auto a = ledger.open([&] { return cpu_a; }, std::set<std::string>{"gpu-0"});
  // Interval 1: only A runs; 2 CPU-s of 3 busy; package +30 J, gpu-0 +100 J, gpu-1 +5 J.
  cpu_a += 2;
  busy += 3;
  joules = {1030, 510, 7100, 9005};
  ledger.tick();
  auto b = ledger.open([&] { return cpu_b; }, std::set<std::string>{"gpu-1"});
  // Interval 2: both; A 1 CPU-s, B 3 CPU-s of 4; package +40 J, gpu-0 +10, gpu-1 +60.
  cpu_a += 1;
  cpu_b += 3;
  busy += 4;
  joules = {1070, 510, 7110, 9065};
  LedgerReading ra = ledger.close(a);
  // Interval 3: B alone, on an idle machine: all of it.
  joules = {1080, 510, 7110, 9070};
  LedgerReading rb = ledger.close(b);

  EXPECT_DOUBLE_EQ(ra.domains[0].joules, 20 + 10);
  EXPECT_DOUBLE_EQ(ra.domains[2].joules, 100 + 10);
  EXPECT_DOUBLE_EQ(ra.domains[3].joules, 0);
  EXPECT_DOUBLE_EQ(ra.joules, 30 + 110);  // core-0 is inside package-0: not added again
  EXPECT_DOUBLE_EQ(ra.cpu_seconds, 3);
  EXPECT_DOUBLE_EQ(ra.machine_cpu_seconds, 7);
  EXPECT_EQ(ra.most_concurrent, 2);

  EXPECT_DOUBLE_EQ(rb.domains[0].joules, 30 + 10);
  EXPECT_DOUBLE_EQ(rb.domains[3].joules, 60 + 5);
  EXPECT_DOUBLE_EQ(rb.domains[2].joules, 0);
  EXPECT_DOUBLE_EQ(rb.cpu_seconds, 3);
}

TEST(EnergyLedger, AFirstTrialStartsFromItsOwnBeginning) {
  std::vector<double> joules = {0, 0, 0, 0};
  double busy = 0;
  EnergyLedger ledger(std::make_unique<FakeCounters>(&joules, &busy), std::chrono::milliseconds(0));
  joules = {500, 0, 0, 0};  // before any trial: charged to none
  busy = 5;
  double cpu = 0;
  auto id = ledger.open([&] { return cpu; }, std::nullopt);
  joules = {510, 0, 0, 0};
  busy = 6;
  cpu = 1;
  EXPECT_DOUBLE_EQ(ledger.read(id).joules, 10);
  EXPECT_THROW(ledger.read(id + 1), std::exception);
}

}  // namespace
}  // namespace greentune::command
