#pragma once
// How many hardware threads a physical CPU package has, for CPUs whose model name /proc/cpuinfo
// gives. In a VM, cpuinfo's "siblings" counts the guest's vCPUs, not the part's threads, so the
// estimate's TDP / threads needs the part's own figure from here.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greentune::energy {

struct KnownCpuThreads {
  std::string name;  // "AMD EPYC 7R13"
  int threads = 0;   // hardware threads per package (cores x threads per core)
};

// greentune's table of common server parts (cloud instance CPUs first among them).
const std::vector<KnownCpuThreads>& known_cpu_thread_table();

// The table entry for a /proc/cpuinfo model name, matched as match_cpu_tdp matches; nullopt when
// the part is not in the table.
std::optional<KnownCpuThreads> match_cpu_threads(std::string_view cpu_model);

}  // namespace greentune::energy
