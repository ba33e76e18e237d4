#include "greentune/command/group_cpu.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string_view>
#include <vector>

namespace greentune::command {
namespace {

double ticks_per_second() {
  static const double ticks = [] {
    long t = sysconf(_SC_CLK_TCK);
    return t > 0 ? static_cast<double>(t) : 100.0;
  }();
  return ticks;
}

std::optional<pid_t> pid_of(std::string_view name) {
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (ec != std::errc() || end != name.data() + name.size() || pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace

std::optional<ProcSample> read_proc_sample(const std::filesystem::path& proc_root, pid_t pid) {
  const auto path = proc_root / std::to_string(pid) / "stat";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buffer[2048];
  ssize_t n;
  do {
    n = ::read(fd, buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  std::string_view text(buffer, static_cast<size_t>(n));
  // The command name (field 2) is in parentheses and may hold spaces and ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  text.remove_prefix(close + 1);
  // Fields 3..22; field 3 (state) is not a number and stays 0, field 8 (tpgid) may be -1.
  int64_t fields[20] = {};
  for (int f = 3; f <= 22; ++f) {
    const auto start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) return std::nullopt;
    text.remove_prefix(start);
    const auto end = std::min(text.find(' '), text.size());
    if (f != 3) {
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, fields[f - 3]);
      if (ec != std::errc()) return std::nullopt;
    }
    text.remove_prefix(end);
  }
  ProcSample s;
  s.pid = pid;
  s.ppid = static_cast<pid_t>(fields[4 - 3]);
  s.pgid = static_cast<pid_t>(fields[5 - 3]);
  s.cpu_seconds =
      static_cast<double>(fields[14 - 3] + fields[15 - 3] + fields[16 - 3] + fields[17 - 3]) /
      ticks_per_second();
  s.start_ticks = static_cast<uint64_t>(fields[22 - 3]);
  return s;
}

GroupCpu::GroupCpu(std::filesystem::path proc_root) : proc_root_(std::move(proc_root)) {}

void GroupCpu::set_group(pid_t pgid) {
  std::lock_guard lock(mutex_);
  pgid_ = pgid;
  members_.clear();
  last_full_scan_ = {};
}

void GroupCpu::add_reaped(double cpu_seconds) {
  std::lock_guard lock(mutex_);
  reaped_ += std::max(0.0, cpu_seconds);
}

double GroupCpu::cpu_seconds() {
  std::lock_guard lock(mutex_);
  if (pgid_ <= 0) return held_;
  const auto now = std::chrono::steady_clock::now();
  std::vector<ProcSample> alive;
  const bool full_scan = now - last_full_scan_ >= kFullScanEvery;
  if (full_scan) {
    last_full_scan_ = now;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(proc_root_, ec)) {
      if (auto pid = pid_of(entry.path().filename().native())) {
        if (auto s = read_proc_sample(proc_root_, *pid)) alive.push_back(*s);
      }
    }
  } else {
    for (const auto& [pid, start] : members_) {
      if (auto s = read_proc_sample(proc_root_, pid)) alive.push_back(*s);
    }
  }
  auto known = [&](const ProcSample& s) {
    auto it = members_.find(s.pid);
    return it != members_.end() && it->second == s.start_ticks;
  };
  // Members: the group, members that left it, and the children of members (a chain born between
  // two scans joins link by link, so repeat until nothing joins).
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& s : alive) {
      if (known(s)) continue;
      if (s.pgid == pgid_ || members_.count(s.ppid)) {
        members_[s.pid] = s.start_ticks;
        grew = true;
      }
    }
  }
  double live = 0;
  std::map<pid_t, uint64_t> still;
  for (const auto& s : alive) {
    if (!known(s)) continue;
    still[s.pid] = s.start_ticks;
    live += s.cpu_seconds;
  }
  members_ = std::move(still);
  held_ = std::max(held_, live + reaped_);
  return held_;
}

}  // namespace greentune::command
