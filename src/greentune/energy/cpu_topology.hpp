#pragma once
// Which CPUs belong to which package, from <sysfs>/devices/system/cpu/cpuN/topology/, so a
// per-package counter (MSR, perf) is read on a CPU of that package.
#include <map>
#include <vector>

#include "greentune/energy/source.hpp"

namespace greentune::energy {

struct CpuTopology {
  std::map<int, int> package_of_cpu;            // cpu -> physical_package_id
  std::map<int, std::vector<int>> packages;     // package id -> its CPUs, ascending
  std::map<int, std::vector<int>> core_firsts;  // package id -> the first CPU of each core

  int first_cpu(int package) const { return packages.at(package).front(); }
};

// Empty when sysfs has no topology (then callers fall back to what they know, e.g. cpumask).
CpuTopology read_cpu_topology(const SystemPaths& paths);

}  // namespace greentune::energy
