#pragma once
// Per-trial energy when several trials share one machine.
//
// Energy counters are machine-wide: RAPL counts the whole CPU package, NVML a whole GPU, so two
// trials' measurement windows over the same counter would each count the other's work. The ledger
// reads the counters and every running trial's CPU time on one clock (every `tick`, and whenever
// a trial starts, reports or ends) and splits each interval's joules between the trials:
//  - CPU domains (package, dram, psys, the estimate): by each trial's share of the machine's busy
//    CPU time in that interval (its process tree's CPU time / every CPU's busy time, the larger of
//    that and the trials' sum). Work of other processes is charged to no trial. An interval in
//    which no CPU was busy at all (idle power) is split evenly between the running trials.
//  - GPU domains: evenly between the running trials given that GPU (all of it to a trial that has
//    the GPU to itself).
// So a trial's joules are its own: the trials' shares of an interval never add up to more than
// the interval's energy, and one trial alone on an idle machine gets the whole of it. With the
// estimate source over the whole machine, a trial's CPU share comes out as its own CPU time x the
// power per CPU, which is the process-tree estimate.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace greentune::energy {
class Monitor;
}

namespace greentune::command {

struct LedgerDomain {
  std::string name;             // "package-0", "gpu-1", ...
  std::string source;           // "powercap", "nvml", "estimate", ...
  std::string kind;             // "measured" | "estimated"
  bool part_of_parent = false;  // a subzone inside another domain: never added to a total
  bool gpu = false;
};

// What the ledger reads on each tick: cumulative totals since it started.
class MachineCounters {
 public:
  virtual ~MachineCounters() = default;
  virtual std::vector<LedgerDomain> domains() const = 0;
  virtual std::vector<double> joules() = 0;  // per domain, in the order of domains()
  virtual double busy_cpu_seconds() = 0;     // every CPU's busy time
};

// The real counters: a window on `monitor` (kept open while the counters live) and <proc>/stat.
std::unique_ptr<MachineCounters> monitor_counters(energy::Monitor& monitor,
                                                  std::filesystem::path proc_root = "/proc");

struct AccountTick {
  double cpu_seconds = 0;  // the trial's CPU time in the interval
  std::vector<bool> gpu;   // per domain: this trial was given that GPU
};
// One interval's split: joules[account][domain]. Exposed for tests.
std::vector<std::vector<double>> attribute_interval(const std::vector<LedgerDomain>& domains,
                                                    const std::vector<double>& domain_joules,
                                                    double machine_cpu_seconds,
                                                    const std::vector<AccountTick>& accounts);

struct DomainJoules {
  LedgerDomain domain;
  double joules = 0;
};

// A trial's account so far.
struct LedgerReading {
  double seconds = 0;  // since the account was opened
  std::vector<DomainJoules> domains;
  double joules = 0;               // subzones not added twice
  double cpu_seconds = 0;          // the trial's process tree
  double machine_cpu_seconds = 0;  // busy time of every CPU over the same intervals
  int most_concurrent = 1;         // most trials measured at once while this one ran
};

class EnergyLedger {
 public:
  // tick 0: no thread of its own (tests call tick()).
  EnergyLedger(std::unique_ptr<MachineCounters> counters, std::chrono::milliseconds tick);
  ~EnergyLedger();
  EnergyLedger(const EnergyLedger&) = delete;
  EnergyLedger& operator=(const EnergyLedger&) = delete;

  using AccountId = uint64_t;
  // `cpu_seconds`: the trial's cumulative CPU time, called under the ledger's lock on every tick.
  // `gpus`: names of the GPU domains the trial was given; nullopt: every GPU.
  AccountId open(std::function<double()> cpu_seconds, std::optional<std::set<std::string>> gpus);
  LedgerReading read(AccountId id);   // after a tick, so the reading is current
  LedgerReading close(AccountId id);  // a last tick, then the account is gone
  void tick();

  std::vector<LedgerDomain> domains() const { return domains_; }

 private:
  struct Account {
    std::function<double()> cpu_seconds;
    std::vector<bool> gpu;
    double last_cpu = 0;
    std::vector<double> joules;
    double cpu_total = 0;
    double machine_cpu_total = 0;
    int most_concurrent = 1;
    std::chrono::steady_clock::time_point opened;
  };
  void tick_locked();
  LedgerReading reading_locked(const Account& account) const;
  void run();

  std::unique_ptr<MachineCounters> counters_;
  std::vector<LedgerDomain> domains_;
  std::chrono::milliseconds tick_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<double> last_joules_;
  double last_machine_cpu_ = 0;
  std::map<AccountId, Account> accounts_;
  AccountId next_id_ = 1;
  std::thread thread_;
};

}  // namespace greentune::command
