#pragma once
// CPU time and resident memory of a scope (this process, a process tree, the machine), read from
// <proc>. The estimate source turns these into joules.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace greentune::energy {

struct ProcStat {
  pid_t pid = 0;
  pid_t ppid = 0;
  double cpu_seconds = 0;           // utime + stime, all threads
  double reaped_child_seconds = 0;  // cutime + cstime: children this process has waited for
  uint64_t rss_bytes = 0;
  uint64_t start_ticks = 0;  // start time since boot, tells a reused pid from the original
};

// <proc>/<pid>/stat; nullopt when the process is gone or the file is malformed.
std::optional<ProcStat> read_proc_stat(const std::filesystem::path& proc_root, pid_t pid);

// CPU time of this process (all threads), from the kernel's nanosecond clock: /proc's ticks
// (10 ms) are too coarse for short windows.
double self_cpu_seconds();
uint64_t self_rss_bytes(const std::filesystem::path& proc_root);

// Busy CPU time of the whole machine, all CPUs summed (<proc>/stat: user, nice, system, irq,
// softirq); nullopt when unreadable.
std::optional<double> machine_busy_cpu_seconds(const std::filesystem::path& proc_root);
// MemTotal - MemAvailable from <proc>/meminfo; 0 when unreadable.
uint64_t machine_used_memory_bytes(const std::filesystem::path& proc_root);

// A process and all its descendants, followed while they live. Descendants that are reaped by a
// member reach us through that member's cutime/cstime; the root's own end is reported by whoever
// reaps it (finish()), since its times leave <proc> with it. Thread-safe.
//
// Finding new descendants means reading every <proc>/<pid>/stat (this kernel has no
// task/*/children lists), which is most of the sampler's cost; so the whole of <proc> is scanned at
// most every kFullScanEvery and only the known members in between. A child born since the last
// scan is counted from the next one on, with all the CPU time it has used by then; one that is
// born and reaped by a member in between is counted through the member's cutime.
class ProcessTree {
 public:
  explicit ProcessTree(std::filesystem::path proc_root, pid_t root = 0);

  // Sets the root once it is known (`measure` builds its sources before it forks). After
  // finish(), follows a new root (a command run again, `measure --runs`): the CPU time of the
  // earlier roots stays in the total, which never decreases.
  void set_root(pid_t root);
  // set_root for a process this one has just forked and that has run nothing yet: it has no
  // descendants, so the first full scan of <proc> waits kFullScanEvery (on a busy host that scan
  // reads hundreds of files, the larger part of what `measure -- true` costs).
  void set_forked_root(pid_t root);
  // A process that adopts the tree's orphans (a child subreaper, PR_SET_CHILD_SUBREAPER): its
  // children other than the root are descendants whose parent died, and belong to the tree.
  void set_adopter(pid_t adopter);

  struct Usage {
    double cpu_seconds = 0;  // never decreases
    uint64_t rss_bytes = 0;  // of the members alive now
    int processes = 0;
  };
  Usage sample();

  static constexpr std::chrono::milliseconds kFullScanEvery{500};

  // The root was reaped; `cpu_seconds` is its rusage (itself and every descendant it waited for).
  void finish(double cpu_seconds);

 private:
  std::filesystem::path proc_root_;
  std::mutex mutex_;
  pid_t root_ = 0;
  pid_t adopter_ = 0;
  std::map<pid_t, uint64_t> members_;  // pid -> start_ticks
  double earlier_roots_seconds_ = 0;   // finished roots before the current one
  double cpu_seconds_ = 0;             // the current root's tree
  bool finished_ = false;
  std::chrono::steady_clock::time_point last_full_scan_{};
};

}  // namespace greentune::energy
