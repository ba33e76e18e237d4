#pragma once
// CPU time of a trial: every process of its process group, and their descendants that moved to a
// group of their own, followed through <proc>. energy::ProcessTree follows parent links only, so a
// background child whose parent exits (an orphan, re-parented before a scan saw it) would be lost;
// the process group keeps it. Processes reaped by the runner add their rusage (add_reaped), those
// reaped by a member reach us through the member's cutime/cstime. Thread-safe.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

namespace greentune::command {

struct ProcSample {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  uint64_t start_ticks = 0;
  double cpu_seconds = 0;  // utime + stime + cutime + cstime
};
// <proc>/<pid>/stat; nullopt when the process is gone or the file is malformed.
std::optional<ProcSample> read_proc_sample(const std::filesystem::path& proc_root, pid_t pid);

class GroupCpu {
 public:
  explicit GroupCpu(std::filesystem::path proc_root);
  void set_group(pid_t pgid);           // the trial's leader; 0 until it runs
  void add_reaped(double cpu_seconds);  // rusage of a member this process waited for
  double cpu_seconds();                 // never decreases

  static constexpr std::chrono::milliseconds kFullScanEvery{500};

 private:
  std::filesystem::path proc_root_;
  std::mutex mutex_;
  pid_t pgid_ = 0;
  std::map<pid_t, uint64_t> members_;  // pid -> start_ticks (a reused pid is another process)
  double reaped_ = 0;
  double held_ = 0;
  std::chrono::steady_clock::time_point last_full_scan_{};
};

}  // namespace greentune::command
