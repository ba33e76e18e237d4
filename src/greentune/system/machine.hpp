#pragma once
// What the machine is and what the process runs with, for every record and report: results are
// only comparable when the CPU, BLAS, allocator and thread count are stated.
#include <string>

namespace greentune::system {

struct MachineInfo {
  std::string hostname;
  std::string cpu_model;   // /proc/cpuinfo "model name", "" when unknown
  int logical_cpus = 0;    // usable by this process (sched_getaffinity)
  int cpu_packages = 0;    // physical packages (sockets) seen in sysfs topology; 0 = unknown
  std::string blas;        // the library that provides sgemm_ in this process, resolved through
                           // symlinks (Debian's alternatives), or "none loaded"
  std::string allocator;   // "jemalloc", "tcmalloc" or "glibc malloc"
  std::string kernel;      // uname -r
};

MachineInfo describe_machine();

}  // namespace greentune::system
