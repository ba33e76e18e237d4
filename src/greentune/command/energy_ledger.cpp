#include "greentune/command/energy_ledger.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "greentune/common/error.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/energy/process_cpu.hpp"

namespace greentune::command {
namespace {

class MonitorCounters final : public MachineCounters {
 public:
  MonitorCounters(energy::Monitor& monitor, std::filesystem::path proc_root)
      : monitor_(monitor), proc_root_(std::move(proc_root)) {
    window_ = "command trials " + std::to_string(reinterpret_cast<uintptr_t>(this));
    for (const auto& info : monitor_.domains()) {
      domains_.push_back({info.name, info.source, energy::to_string(info.kind), info.part_of_parent,
                          info.source == "nvml"});
    }
    monitor_.begin(window_);
  }
  ~MonitorCounters() override {
    try {
      monitor_.end(window_);
    } catch (const std::exception& e) {
      spdlog::debug("closing the trials' energy window: {}", e.what());
    }
  }
  std::vector<LedgerDomain> domains() const override { return domains_; }
  std::vector<double> joules() override {
    const energy::Measurement m = monitor_.peek(window_);
    std::vector<double> out;
    for (const auto& d : m.domains) out.push_back(d.joules);
    return out;
  }
  double busy_cpu_seconds() override {
    // An unreadable <proc>/stat leaves the figure where it was: the trials then share by their
    // own CPU times alone.
    if (auto busy = energy::machine_busy_cpu_seconds(proc_root_)) last_busy_ = *busy;
    return last_busy_;
  }

 private:
  energy::Monitor& monitor_;
  std::filesystem::path proc_root_;
  std::string window_;
  std::vector<LedgerDomain> domains_;
  double last_busy_ = 0;
};

}  // namespace

std::unique_ptr<MachineCounters> monitor_counters(energy::Monitor& monitor,
                                                  std::filesystem::path proc_root) {
  return std::make_unique<MonitorCounters>(monitor, std::move(proc_root));
}

std::vector<std::vector<double>> attribute_interval(const std::vector<LedgerDomain>& domains,
                                                    const std::vector<double>& domain_joules,
                                                    double machine_cpu_seconds,
                                                    const std::vector<AccountTick>& accounts) {
  std::vector<std::vector<double>> out(accounts.size(), std::vector<double>(domains.size(), 0.0));
  if (accounts.empty()) return out;
  double trials_cpu = 0;
  for (const auto& a : accounts) trials_cpu += std::max(0.0, a.cpu_seconds);
  // /proc/stat and the trials' stat files are read a moment apart: never hand out more than all.
  const double busy = std::max(std::max(0.0, machine_cpu_seconds), trials_cpu);
  for (size_t d = 0; d < domains.size() && d < domain_joules.size(); ++d) {
    const double joules = std::max(0.0, domain_joules[d]);
    if (domains[d].gpu) {
      size_t sharing = 0;
      for (const auto& a : accounts) sharing += d < a.gpu.size() && a.gpu[d] ? 1 : 0;
      if (sharing == 0) continue;
      for (size_t k = 0; k < accounts.size(); ++k) {
        if (d < accounts[k].gpu.size() && accounts[k].gpu[d]) {
          out[k][d] = joules / static_cast<double>(sharing);
        }
      }
    } else if (busy > 0) {
      for (size_t k = 0; k < accounts.size(); ++k) {
        out[k][d] = joules * std::max(0.0, accounts[k].cpu_seconds) / busy;
      }
    } else {
      for (size_t k = 0; k < accounts.size(); ++k) {
        out[k][d] = joules / static_cast<double>(accounts.size());
      }
    }
  }
  return out;
}

EnergyLedger::EnergyLedger(std::unique_ptr<MachineCounters> counters,
                           std::chrono::milliseconds tick)
    : counters_(std::move(counters)), tick_(tick) {
  if (!counters_) throw Error("energy ledger: no counters given");
  domains_ = counters_->domains();
  last_joules_ = counters_->joules();
  last_joules_.resize(domains_.size(), 0.0);
  last_machine_cpu_ = counters_->busy_cpu_seconds();
  if (tick_.count() > 0) thread_ = std::thread([this] { run(); });
}

EnergyLedger::~EnergyLedger() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EnergyLedger::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_for(lock, tick_, [this] { return stopping_; })) break;
    if (!accounts_.empty()) tick_locked();
  }
}

void EnergyLedger::tick() {
  std::lock_guard lock(mutex_);
  tick_locked();
}

void EnergyLedger::tick_locked() {
  std::vector<double> joules = counters_->joules();
  joules.resize(domains_.size(), 0.0);
  const double machine = counters_->busy_cpu_seconds();
  std::vector<double> delta(domains_.size());
  for (size_t d = 0; d < domains_.size(); ++d) {
    delta[d] = std::max(0.0, joules[d] - last_joules_[d]);
  }
  const double machine_delta = std::max(0.0, machine - last_machine_cpu_);
  last_joules_ = std::move(joules);
  last_machine_cpu_ = std::max(last_machine_cpu_, machine);

  std::vector<AccountTick> ticks;
  std::vector<Account*> order;
  for (auto& [id, account] : accounts_) {
    double now = account.last_cpu;
    try {
      now = account.cpu_seconds();
    } catch (const std::exception& e) {
      spdlog::debug("energy ledger: a trial's CPU time could not be read: {}", e.what());
    }
    const double used = std::max(0.0, now - account.last_cpu);
    account.last_cpu = std::max(account.last_cpu, now);
    ticks.push_back({used, account.gpu});
    order.push_back(&account);
  }
  const auto shares = attribute_interval(domains_, delta, machine_delta, ticks);
  const int concurrent = static_cast<int>(order.size());
  for (size_t k = 0; k < order.size(); ++k) {
    Account& account = *order[k];
    for (size_t d = 0; d < domains_.size(); ++d) account.joules[d] += shares[k][d];
    account.cpu_total += ticks[k].cpu_seconds;
    account.machine_cpu_total += machine_delta;
    account.most_concurrent = std::max(account.most_concurrent, concurrent);
  }
}

EnergyLedger::AccountId EnergyLedger::open(std::function<double()> cpu_seconds,
                                           std::optional<std::set<std::string>> gpus) {
  std::lock_guard lock(mutex_);
  // What happened before this trial began belongs to the trials already running.
  if (!accounts_.empty()) tick_locked();
  Account account;
  account.cpu_seconds = std::move(cpu_seconds);
  try {
    account.last_cpu = account.cpu_seconds();
  } catch (const std::exception&) {
    account.last_cpu = 0;
  }
  account.joules.assign(domains_.size(), 0.0);
  account.gpu.assign(domains_.size(), false);
  for (size_t d = 0; d < domains_.size(); ++d) {
    account.gpu[d] = domains_[d].gpu && (!gpus || gpus->count(domains_[d].name) > 0);
  }
  account.opened = std::chrono::steady_clock::now();
  const AccountId id = next_id_++;
  accounts_.emplace(id, std::move(account));
  if (accounts_.size() == 1) {
    // The first account starts from now, not from the last tick before it.
    last_joules_ = counters_->joules();
    last_joules_.resize(domains_.size(), 0.0);
    last_machine_cpu_ = std::max(last_machine_cpu_, counters_->busy_cpu_seconds());
  }
  return id;
}

LedgerReading EnergyLedger::reading_locked(const Account& account) const {
  LedgerReading r;
  r.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - account.opened).count();
  for (size_t d = 0; d < domains_.size(); ++d) {
    r.domains.push_back({domains_[d], account.joules[d]});
    if (!domains_[d].part_of_parent) r.joules += account.joules[d];
  }
  r.cpu_seconds = account.cpu_total;
  r.machine_cpu_seconds = account.machine_cpu_total;
  r.most_concurrent = account.most_concurrent;
  return r;
}

LedgerReading EnergyLedger::read(AccountId id) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) throw Error("energy ledger: no open account " + std::to_string(id));
  tick_locked();
  return reading_locked(it->second);
}

LedgerReading EnergyLedger::close(AccountId id) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) throw Error("energy ledger: no open account " + std::to_string(id));
  tick_locked();
  LedgerReading r = reading_locked(it->second);
  accounts_.erase(it);
  return r;
}

}  // namespace greentune::command
