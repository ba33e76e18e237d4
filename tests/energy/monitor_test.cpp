// The Monitor against scripted sources: the counters, wraps, failures and timing are chosen by the
// test, so every joule the Monitor reports can be checked against what the script produced.
#include "greentune/energy/monitor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "fake_sysfs.hpp"
#include "greentune/common/error.hpp"
#include "greentune/energy/discovery.hpp"

namespace greentune::energy {
namespace {

using namespace std::chrono_literals;

// A counter that advances by a fixed step on every read, wrapping at `wraps_at`; reads listed in
// `fail_reads` (1-based) fail, and `backwards_at` makes one read return a smaller value.
class SteppingSource : public Source {
 public:
  struct Script {
    uint64_t step = 0;
    uint64_t wraps_at = 0;
    double joules_per_unit = 1.0;
    std::chrono::milliseconds max_interval{std::chrono::hours(1)};
    std::vector<uint64_t> fail_reads;
    uint64_t backwards_at = 0;
    bool part_of_parent = false;
    std::string domain = "package-0";
  };
  explicit SteppingSource(Script script) : script_(std::move(script)) {}

  std::string name() const override { return "scripted"; }
  std::vector<DomainInfo> domains() const override {
    DomainInfo info;
    info.name = script_.domain;
    info.source = "scripted";
    info.method = "test script";
    info.part_of_parent = script_.part_of_parent;
    return {info};
  }
  std::vector<CounterRead> read() override {
    std::lock_guard lock(mutex_);
    ++reads_;
    CounterRead r;
    r.wraps_at = script_.wraps_at;
    r.joules_per_unit = script_.joules_per_unit;
    for (uint64_t n : script_.fail_reads) {
      if (n == reads_) {
        r.ok = false;
        position_ += script_.step;  // energy keeps flowing while the read fails
        return {r};
      }
    }
    if (reads_ == script_.backwards_at) {
      position_ = 0;  // a reset: the counter starts again from zero
    } else {
      position_ += script_.step;
    }
    r.value = script_.wraps_at ? position_ % script_.wraps_at : position_;
    return {r};
  }
  std::chrono::milliseconds max_read_interval() const override { return script_.max_interval; }

 private:
  Script script_;
  std::mutex mutex_;
  uint64_t reads_ = 0;
  uint64_t position_ = 0;
};

// A counter driven by wall-clock time at a power the test sets: value = integral of power, in uJ.
class PowerSource : public Source {
 public:
  struct Shared {
    std::mutex mutex;
    double watts = 0;
    double joules = 0;
    std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
    void set_watts(double w) {
      std::lock_guard lock(mutex);
      advance();
      watts = w;
    }
    void advance() {
      auto now = std::chrono::steady_clock::now();
      joules += watts * std::chrono::duration<double>(now - last).count();
      last = now;
    }
  };
  PowerSource(std::shared_ptr<Shared> shared, uint64_t wraps_at_uj,
              std::chrono::milliseconds max_interval)
      : shared_(std::move(shared)), wraps_at_(wraps_at_uj), max_interval_(max_interval) {}

  std::string name() const override { return "power"; }
  std::vector<DomainInfo> domains() const override {
    return {DomainInfo{"package-0", "power", Kind::estimated, "test power script", false}};
  }
  std::vector<CounterRead> read() override {
    std::lock_guard lock(shared_->mutex);
    shared_->advance();
    auto units = static_cast<uint64_t>(shared_->joules * 1e6);
    CounterRead r;
    r.wraps_at = wraps_at_;
    r.value = wraps_at_ ? units % wraps_at_ : units;
    r.joules_per_unit = 1e-6;
    return {r};
  }
  std::chrono::milliseconds max_read_interval() const override { return max_interval_; }

 private:
  std::shared_ptr<Shared> shared_;
  uint64_t wraps_at_;
  std::chrono::milliseconds max_interval_;
};

std::vector<std::unique_ptr<Source>> one(std::unique_ptr<Source> source) {
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::move(source));
  return sources;
}

MonitorOptions slow_sampler() {
  MonitorOptions options;
  options.interval = std::chrono::milliseconds(std::chrono::hours(1));  // boundary reads only
  return options;
}

TEST(Monitor, CountsEveryUnitAcrossSeveralWrapsInOneWindow) {
  SteppingSource::Script script;
  script.wraps_at = 1000;
  script.step = 730;  // wraps on most reads
  script.joules_per_unit = 0.5;
  script.max_interval = 2ms;
  Monitor monitor(one(std::make_unique<SteppingSource>(script)), {});
  // Adapted down from 100 ms to the source's limit, and further once the sampler has seen steps
  // of 73 % of the range, faster than the source's limit promised.
  EXPECT_LE(monitor.interval(), 2ms);
  monitor.begin("train");
  std::this_thread::sleep_for(60ms);
  Measurement m = monitor.end("train");
  ASSERT_GE(m.samples, 5u) << "the adaptive interval should have sampled many times";
  EXPECT_EQ(m.missed_samples, 0u);
  // 730 units per read, each read inside the window after `begin`'s own read.
  EXPECT_DOUBLE_EQ(m.domains.at(0).joules, 730.0 * 0.5 * static_cast<double>(m.samples));
  EXPECT_GT(m.domains.at(0).joules * 2, 1000.0 * 3) << "more than three wraps expected";
  EXPECT_DOUBLE_EQ(m.total_joules, m.domains.at(0).joules);
  EXPECT_NEAR(m.domains.at(0).watts, m.domains.at(0).joules / m.seconds, 1e-9);
}

TEST(Monitor, TimeDrivenCounterWrappingSeveralTimesMatchesThePower) {
  auto shared = std::make_shared<PowerSource::Shared>();
  shared->set_watts(50.0);
  // Wraps every 0.3 s at 50 W (15 J); the source asks for reads every 40 ms, so only a stall of
  // the sampler longer than 0.3 s could lose a wrap.
  Monitor monitor(one(std::make_unique<PowerSource>(shared, 15'000'000, 40ms)), {});
  EXPECT_EQ(monitor.interval(), 40ms);
  monitor.begin("work");
  std::this_thread::sleep_for(1s);
  Measurement m = monitor.end("work");
  EXPECT_NEAR(m.domains.at(0).watts, 50.0, 2.0);
  EXPECT_NEAR(m.total_joules, 50.0 * m.seconds, 2.0);
  EXPECT_GT(m.total_joules, 3 * 15.0);
}

TEST(Monitor, RecordsThePowerTimeSeriesOnlyWhileAsked) {
  SteppingSource::Script script;
  script.step = 10;  // 10 J per read
  Monitor monitor(one(std::make_unique<SteppingSource>(script)), slow_sampler());
  monitor.begin("w");  // not recorded
  monitor.start_recording();
  for (int i = 0; i < 3; ++i) monitor.peek("w");
  const std::vector<PowerSample> samples = monitor.stop_recording();
  monitor.peek("w");              // not recorded
  ASSERT_EQ(samples.size(), 4u);  // three peeks and the read that stops the recording
  double last_seconds = 0, last_joules = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(samples[i].domain, 0u);
    EXPECT_DOUBLE_EQ(samples[i].joules, 10.0 * static_cast<double>(i + 1));
    EXPECT_GT(samples[i].seconds, last_seconds) << "time runs forward";
    // Watts are the energy of the step over its time.
    EXPECT_NEAR(samples[i].watts * (samples[i].seconds - last_seconds),
                samples[i].joules - last_joules, 1e-9);
    last_seconds = samples[i].seconds;
    last_joules = samples[i].joules;
  }
  EXPECT_TRUE(monitor.stop_recording().empty());
  // Reads after begin: start_recording, 3 peeks, stop_recording, peek, stop_recording, end.
  EXPECT_DOUBLE_EQ(monitor.end("w").total_joules, 80.0) << "recording changes no measurement";
}

TEST(Monitor, FailedReadsAreMissedSamplesAndLoseNoEnergy) {
  SteppingSource::Script script;
  script.step = 10;
  script.fail_reads = {3, 4};  // read 1 is the Monitor's start-up read
  Monitor monitor(one(std::make_unique<SteppingSource>(script)), slow_sampler());
  monitor.begin("w");                             // read 2
  for (int i = 0; i < 4; ++i) monitor.peek("w");  // reads 3, 4 fail; 5, 6 succeed
  Measurement m = monitor.end("w");               // read 7
  EXPECT_EQ(m.samples, 5u);
  EXPECT_EQ(m.missed_samples, 2u);
  EXPECT_DOUBLE_EQ(m.total_joules, 50.0);  // five steps after `begin`, none lost
}

TEST(Monitor, CounterGoingBackwardsIsDroppedAsAMissedSample) {
  SteppingSource::Script script;
  script.step = 10;
  script.backwards_at = 4;
  Monitor monitor(one(std::make_unique<SteppingSource>(script)), slow_sampler());
  monitor.begin("w");                // read 2: 20
  monitor.peek("w");                 // read 3: 30
  monitor.peek("w");                 // read 4: reset to 0
  Measurement m = monitor.end("w");  // read 5: 10
  EXPECT_EQ(m.missed_samples, 1u);
  EXPECT_DOUBLE_EQ(m.total_joules, 20.0);  // 20->30 and 0->10; the reset interval is unknown
}

TEST(Monitor, NestedAndOverlappingWindowsEachSeeTheirOwnEnergy) {
  SteppingSource::Script script;
  script.step = 1;
  Monitor monitor(one(std::make_unique<SteppingSource>(script)), slow_sampler());
  monitor.begin("outer");                        // 2
  monitor.begin("inner");                        // 3
  monitor.begin("overlap");                      // 4
  Measurement inner = monitor.end("inner");      // 5
  monitor.peek("outer");                         // 6
  Measurement outer = monitor.end("outer");      // 7
  Measurement overlap = monitor.end("overlap");  // 8
  EXPECT_DOUBLE_EQ(inner.total_joules, 2.0);
  EXPECT_DOUBLE_EQ(outer.total_joules, 5.0);
  EXPECT_DOUBLE_EQ(overlap.total_joules, 4.0);
  EXPECT_EQ(outer.name, "outer");
  EXPECT_GE(outer.seconds, inner.seconds);
}

TEST(Monitor, DuplicateAndUnknownWindowsAreInputErrorsNamingTheWindow) {
  SteppingSource::Script script;
  Monitor monitor(one(std::make_unique<SteppingSource>(script)), slow_sampler());
  monitor.begin("epoch-1");
  EXPECT_THROW(monitor.begin("epoch-1"), InputError);
  try {
    monitor.end("epoch-9");
    FAIL() << "end of an unknown window must throw";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("epoch-9"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("epoch-1"), std::string::npos) << e.what();
  }
  monitor.end("epoch-1");
  EXPECT_THROW(monitor.end("epoch-1"), InputError);
}

TEST(Monitor, IdleBaselineGivesNetEqualToGrossMinusIdle) {
  auto shared = std::make_shared<PowerSource::Shared>();
  shared->set_watts(20.0);
  MonitorOptions options;
  options.idle_seconds = 0.3;
  options.interval = 20ms;
  Monitor monitor(one(std::make_unique<PowerSource>(shared, 0, std::chrono::hours(1))), options);
  ASSERT_EQ(monitor.idle_watts().size(), 1u);
  EXPECT_NEAR(monitor.idle_watts()[0], 20.0, 1.0);
  shared->set_watts(70.0);
  monitor.begin("work");
  std::this_thread::sleep_for(300ms);
  Measurement m = monitor.end("work");
  shared->set_watts(0);
  const DomainEnergy& d = m.domains.at(0);
  EXPECT_NEAR(d.watts, 70.0, 3.0);
  EXPECT_DOUBLE_EQ(d.idle_joules, monitor.idle_watts()[0] * m.seconds);
  EXPECT_DOUBLE_EQ(d.net_joules, d.joules - d.idle_joules);
  EXPECT_NEAR(m.net_joules / m.seconds, 50.0, 3.0);
  EXPECT_DOUBLE_EQ(m.net_joules, m.total_joules - m.idle_joules);
  EXPECT_NEAR(m.net_carbon.kwh, m.net_joules / 3.6e6, 1e-15);
}

TEST(Monitor, SubzonesAreReportedButNotAddedToTheTotal) {
  SteppingSource::Script package;
  package.step = 100;
  SteppingSource::Script core = package;
  core.step = 60;
  core.domain = "core-0";
  core.part_of_parent = true;
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<SteppingSource>(package));
  sources.push_back(std::make_unique<SteppingSource>(core));
  Monitor monitor(std::move(sources), slow_sampler());
  monitor.begin("w");
  Measurement m = monitor.end("w");
  ASSERT_EQ(m.domains.size(), 2u);
  EXPECT_DOUBLE_EQ(m.domains[1].joules, 60.0);
  EXPECT_DOUBLE_EQ(m.total_joules, 100.0);
}

TEST(Monitor, CarbonFollowsTheConfiguredIntensityAndPue) {
  SteppingSource::Script script;
  script.step = 3'600'000;  // 1 kWh per read
  MonitorOptions options = slow_sampler();
  options.carbon.grams_per_kwh = 200;
  options.carbon.pue = 1.5;
  Monitor monitor(one(std::make_unique<SteppingSource>(script)), options);
  monitor.begin("w");
  Measurement m = monitor.end("w");
  EXPECT_DOUBLE_EQ(m.carbon.kwh, 1.0);
  EXPECT_DOUBLE_EQ(m.carbon.facility_kwh, 1.5);
  EXPECT_DOUBLE_EQ(m.carbon.grams_co2e, 300.0);
}

TEST(Monitor, RejectsBadOptions) {
  SteppingSource::Script script;
  MonitorOptions options;
  options.interval = 0ms;
  EXPECT_THROW(Monitor(one(std::make_unique<SteppingSource>(script)), options), InputError);
  options = {};
  options.carbon.pue = 0.8;
  EXPECT_THROW(Monitor(one(std::make_unique<SteppingSource>(script)), options), InputError);
}

TEST(Monitor, WindowsFromManyThreadsAtOnce) {
  SteppingSource::Script script;
  script.step = 1;
  MonitorOptions options;
  options.interval = 1ms;
  Monitor monitor(one(std::make_unique<SteppingSource>(script)), options);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        // (not "t" + to_string(t): g++ 12 warns falsely on that with -O2, -Wrestrict)
        std::string name = std::to_string(t);
        name.insert(name.begin(), 't');
        monitor.begin(name);
        Measurement m = monitor.end(name);
        if (m.total_joules != static_cast<double>(m.samples)) ++errors;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
}

// The contract between the rooms: the real powercap source on a generated tree, read by the
// Monitor through discovery, across two counter wraps and with a subzone beside its package.
TEST(Monitor, PowercapTreeThroughDiscoveryAcrossWraps) {
  testing::FakeRoot root;
  root.write("proc/cpuinfo", "processor\t: 0\nmodel name\t: AMD EPYC\nsiblings\t: 2\n");
  const uint64_t range = 262143328850;  // max_energy_range_uj as a real package reports it
  auto zone = [&](const std::string& id, const std::string& name, uint64_t energy) {
    root.write("sys/class/powercap/" + id + "/name", name + "\n");
    root.write("sys/class/powercap/" + id + "/energy_uj", std::to_string(energy) + "\n");
    root.write("sys/class/powercap/" + id + "/max_energy_range_uj", std::to_string(range) + "\n");
  };
  zone("intel-rapl:0", "package-0", range - 1000);
  zone("intel-rapl:0:0", "core", 5000);
  zone("intel-rapl:0:1", "dram", 100);
  Discovery found = discover(root.paths(), {});
  ASSERT_EQ(found.sources.size(), 1u) << "powercap only; the estimate stays out";
  Monitor monitor(std::move(found.sources), slow_sampler());
  monitor.begin("w");
  zone("intel-rapl:0", "package-0", 500);  // wrapped: 1001 + 500 uJ
  zone("intel-rapl:0:0", "core", 6000);
  zone("intel-rapl:0:1", "dram", 2100);
  monitor.peek("w");
  zone("intel-rapl:0", "package-0", range - 10);  // no wrap: range - 510 uJ
  monitor.peek("w");
  zone("intel-rapl:0", "package-0", 40);  // wrapped again: 11 + 40 uJ
  Measurement m = monitor.end("w");
  ASSERT_EQ(m.domains.size(), 3u);
  const double package = (1501.0 + static_cast<double>(range - 510) + 51.0) * 1e-6;
  double core = 0, dram = 0, package_seen = 0;
  for (const auto& d : m.domains) {
    EXPECT_EQ(d.info.kind, Kind::measured);
    if (d.info.name.find("package") != std::string::npos) package_seen = d.joules;
    if (d.info.name.find("core") != std::string::npos) core = d.joules;
    if (d.info.name.find("dram") != std::string::npos) dram = d.joules;
  }
  EXPECT_NEAR(package_seen, package, 1e-9);
  EXPECT_NEAR(core, 1000e-6, 1e-12);
  EXPECT_NEAR(dram, 2000e-6, 1e-12);
  EXPECT_NEAR(m.total_joules, package + dram, 1e-9) << "core is inside the package";
  EXPECT_EQ(m.missed_samples, 0u);
}

}  // namespace
}  // namespace greentune::energy
