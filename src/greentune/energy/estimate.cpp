#include "greentune/energy/estimate.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "greentune/common/error.hpp"
#include "greentune/energy/load_model.hpp"

namespace greentune::energy {
namespace {

std::string trim(const std::string& text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

class EstimateSource : public Source {
 public:
  EstimateSource(SystemPaths paths, EstimateOptions options, CpuPowerModel model,
                 std::vector<DomainInfo> domains)
      : paths_(std::move(paths)),
        options_(std::move(options)),
        model_(model),
        domains_(std::move(domains)) {}

  std::string name() const override { return "estimate"; }
  std::vector<DomainInfo> domains() const override { return domains_; }

  std::vector<CounterRead> read() override {
    const auto now = std::chrono::steady_clock::now();
    double cpu_seconds = 0;
    uint64_t memory_bytes = 0;
    bool ok = true;
    switch (options_.scope) {
      case EstimateScope::self:
        cpu_seconds = self_cpu_seconds();
        memory_bytes = self_rss_bytes(paths_.proc_root);
        break;
      case EstimateScope::process_tree: {
        auto usage = options_.tree->sample();
        cpu_seconds = usage.cpu_seconds;
        memory_bytes = usage.rss_bytes;
        break;
      }
      case EstimateScope::machine: {
        auto busy = machine_busy_cpu_seconds(paths_.proc_root);
        ok = busy.has_value();
        cpu_seconds = busy.value_or(last_cpu_seconds_);
        memory_bytes = machine_used_memory_bytes(paths_.proc_root);
        break;
      }
    }
    if (started_) {
      cpu_joules_ += std::max(0.0, cpu_seconds - last_cpu_seconds_) * model_.watts_per_cpu;
      const double seconds = std::chrono::duration<double>(now - last_time_).count();
      dram_joules_ += static_cast<double>(memory_bytes) / 1e9 * kDramWattsPerGb * seconds;
    }
    started_ = true;
    last_cpu_seconds_ = std::max(last_cpu_seconds_, cpu_seconds);
    last_time_ = now;
    // Integrated here, so the counters are 64-bit microjoules that never wrap.
    CounterRead cpu{static_cast<uint64_t>(cpu_joules_ * 1e6), 0, 1e-6, ok};
    CounterRead dram{static_cast<uint64_t>(dram_joules_ * 1e6), 0, 1e-6, true};
    return {cpu, dram};
  }

 private:
  SystemPaths paths_;
  EstimateOptions options_;
  CpuPowerModel model_;
  std::vector<DomainInfo> domains_;
  bool started_ = false;
  double last_cpu_seconds_ = 0;
  std::chrono::steady_clock::time_point last_time_;
  double cpu_joules_ = 0;
  double dram_joules_ = 0;
};

const char* scope_words(EstimateScope scope) {
  switch (scope) {
    case EstimateScope::self:
      return "this process";
    case EstimateScope::process_tree:
      return "the command and its descendants";
    case EstimateScope::machine:
      return "the whole machine";
  }
  return "?";
}

}  // namespace

const char* to_string(EstimateScope scope) {
  switch (scope) {
    case EstimateScope::self:
      return "self";
    case EstimateScope::process_tree:
      return "process-tree";
    case EstimateScope::machine:
      return "machine";
  }
  return "?";
}

CpuInfo read_cpuinfo(const std::filesystem::path& proc_root) {
  CpuInfo info;
  std::ifstream in(proc_root / "cpuinfo");
  std::set<std::string> packages;
  int processors = 0;
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    if (key == "model name" && info.model.empty()) info.model = value;
    if (key == "processor") ++processors;
    if (key == "physical id") packages.insert(value);
    if (key == "flags" && !info.virtual_machine) {
      std::istringstream flags(value);
      for (std::string flag; flags >> flag;) info.virtual_machine |= flag == "hypervisor";
    }
    if (key == "siblings" && info.cpus_per_package == 0) {
      try {
        info.cpus_per_package = std::stoi(value);
      } catch (const std::exception&) {
        info.cpus_per_package = 0;
      }
    }
  }
  if (info.cpus_per_package <= 0 && processors > 0) {
    info.cpus_per_package = processors / static_cast<int>(std::max<size_t>(1, packages.size()));
  }
  if (info.cpus_per_package <= 0) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    info.cpus_per_package = online > 0 ? static_cast<int>(online) : 1;
  }
  return info;
}

std::unique_ptr<Source> open_estimate(const SystemPaths& paths, const EstimateOptions& options,
                                      const std::string& why, ProbeResult& result) {
  result.source = "estimate";
  if (options.scope == EstimateScope::process_tree && !options.tree) {
    throw InputError(
        "the process-tree estimate needs the process to follow (EstimateOptions.tree)");
  }
  const CpuInfo cpu = read_cpuinfo(paths.proc_root);
  const CpuPowerModel model = cpu_power_model(cpu, options.cpu_tdp_watts, options.cpu_threads);
  const std::string because = why.empty() ? "" : "; estimated because " + why;
  std::vector<DomainInfo> domains(2);
  domains[0].name = "cpu";
  domains[0].source = "estimate";
  domains[0].kind = Kind::estimated;
  domains[0].method = fmt::format(
      "CPU time of {} x {:.3g} W per logical CPU (model: package power = TDP x load; {}){}",
      scope_words(options.scope), model.watts_per_cpu, model.summary, because);
  domains[1].name = "dram";
  domains[1].source = "estimate";
  domains[1].kind = Kind::estimated;
  domains[1].method =
      fmt::format("resident memory of {} x {:.3g} W per GB (CodeCarbon's 3 W per 8 GB){}",
                  scope_words(options.scope), kDramWattsPerGb, because);
  result.usable = true;
  result.domains = domains;
  result.cpu_power = model;
  return std::make_unique<EstimateSource>(paths, options, model, std::move(domains));
}

}  // namespace greentune::energy
