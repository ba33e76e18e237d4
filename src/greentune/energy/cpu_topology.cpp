#include "greentune/energy/cpu_topology.hpp"

#include <set>
#include <string>
#include <utility>

#include "greentune/energy/sysfs_read.hpp"

namespace greentune::energy {

CpuTopology read_cpu_topology(const SystemPaths& paths) {
  CpuTopology topology;
  std::error_code ec;
  auto cpu_dir = paths.sysfs_root / "devices/system/cpu";
  std::set<std::pair<int, uint64_t>> cores_seen;  // (package, core_id)
  std::map<int, uint64_t> core_of_cpu;
  for (const auto& entry : std::filesystem::directory_iterator(cpu_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("cpu", 0) != 0) continue;
    auto number = parse_u64(std::string_view(name).substr(3));
    if (!number) continue;  // cpufreq, cpuidle, ...
    auto package = read_u64(entry.path() / "topology/physical_package_id");
    if (!package) continue;  // offline CPUs have no topology
    int cpu = static_cast<int>(*number);
    topology.package_of_cpu[cpu] = static_cast<int>(*package);
    auto core = read_u64(entry.path() / "topology/core_id");
    core_of_cpu[cpu] = core ? *core : *number;
  }
  // std::map iterates CPUs in ascending order, so each list and "first of a core" come out sorted.
  for (auto [cpu, package] : topology.package_of_cpu) {
    topology.packages[package].push_back(cpu);
    if (cores_seen.insert({package, core_of_cpu[cpu]}).second) {
      topology.core_firsts[package].push_back(cpu);
    }
  }
  return topology;
}

}  // namespace greentune::energy
