#include "greentune/energy/process_cpu.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace greentune::energy {
namespace {

double clock_ticks_per_second() {
  static const double ticks = [] {
    long t = sysconf(_SC_CLK_TCK);
    return t > 0 ? static_cast<double>(t) : 100.0;
  }();
  return ticks;
}

uint64_t page_bytes() {
  static const uint64_t bytes = [] {
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<uint64_t>(p) : uint64_t{4096};
  }();
  return bytes;
}

// Plain open/read into a stack buffer: the sampler reads many stat files per sample, and streams
// made that the largest part of its CPU cost.
bool read_small_file(const std::filesystem::path& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[4096];
  ssize_t n;
  do {
    n = ::read(fd, buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n <= 0) return false;
  out.assign(buffer, static_cast<size_t>(n));
  return true;
}

std::optional<pid_t> pid_from_name(const std::string& name) {
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (ec != std::errc() || end != name.data() + name.size() || pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace

std::optional<ProcStat> read_proc_stat(const std::filesystem::path& proc_root, pid_t pid) {
  std::string text;
  if (!read_small_file(proc_root / std::to_string(pid) / "stat", text)) return std::nullopt;
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::string_view rest(text);
  rest.remove_prefix(close + 1);
  std::string_view fields[22];  // fields[0] is field 3 (state) ... fields[21] is field 24 (rss)
  size_t count = 0;
  while (count < 22) {
    auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    auto end = rest.find_first_of(" \n");
    fields[count++] = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  if (count < 22) return std::nullopt;
  auto number = [&](size_t field_number) -> std::optional<uint64_t> {
    std::string_view f = fields[field_number - 3];
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
    if (ec != std::errc() || end != f.data() + f.size()) return std::nullopt;
    return value;
  };
  auto ppid = number(4), utime = number(14), stime = number(15), cutime = number(16),
       cstime = number(17), start = number(22), rss = number(24);
  if (!ppid || !utime || !stime || !cutime || !cstime || !start) return std::nullopt;
  ProcStat stat;
  stat.pid = pid;
  stat.ppid = static_cast<pid_t>(*ppid);
  stat.cpu_seconds = static_cast<double>(*utime + *stime) / clock_ticks_per_second();
  stat.reaped_child_seconds = static_cast<double>(*cutime + *cstime) / clock_ticks_per_second();
  stat.start_ticks = *start;
  stat.rss_bytes = rss ? *rss * page_bytes() : 0;
  return stat;
}

double self_cpu_seconds() {
  timespec ts{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

uint64_t self_rss_bytes(const std::filesystem::path& proc_root) {
  std::string text;
  if (!read_small_file(proc_root / "self" / "statm", text)) return 0;
  // "size resident shared ...", in pages
  auto space = text.find(' ');
  if (space == std::string::npos) return 0;
  uint64_t resident = 0;
  const char* begin = text.data() + space + 1;
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), resident);
  if (ec != std::errc()) return 0;
  return resident * page_bytes();
}

std::optional<double> machine_busy_cpu_seconds(const std::filesystem::path& proc_root) {
  std::ifstream in(proc_root / "stat");
  std::string label;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  if (!(in >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq) ||
      label != "cpu") {
    return std::nullopt;
  }
  return static_cast<double>(user + nice + system + irq + softirq) / clock_ticks_per_second();
}

uint64_t machine_used_memory_bytes(const std::filesystem::path& proc_root) {
  std::ifstream in(proc_root / "meminfo");
  uint64_t total_kb = 0, available_kb = 0;
  std::string key, unit;
  uint64_t value = 0;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemTotal:") total_kb = value;
    if (key == "MemAvailable:") available_kb = value;
  }
  return total_kb > available_kb ? (total_kb - available_kb) * 1024 : 0;
}

ProcessTree::ProcessTree(std::filesystem::path proc_root, pid_t root)
    : proc_root_(std::move(proc_root)) {
  if (root > 0) set_root(root);
}

void ProcessTree::set_root(pid_t root) {
  std::lock_guard lock(mutex_);
  earlier_roots_seconds_ += cpu_seconds_;
  cpu_seconds_ = 0;
  finished_ = false;
  root_ = root;
  members_.clear();
  last_full_scan_ = {};
  if (auto stat = read_proc_stat(proc_root_, root)) members_[root] = stat->start_ticks;
}

void ProcessTree::set_forked_root(pid_t root) {
  set_root(root);
  std::lock_guard lock(mutex_);
  last_full_scan_ = std::chrono::steady_clock::now();
}

void ProcessTree::set_adopter(pid_t adopter) {
  std::lock_guard lock(mutex_);
  adopter_ = adopter;
}

ProcessTree::Usage ProcessTree::sample() {
  std::lock_guard lock(mutex_);
  Usage usage;
  if (root_ <= 0 || finished_) {
    usage.cpu_seconds = earlier_roots_seconds_ + cpu_seconds_;
    return usage;
  }
  const auto now = std::chrono::steady_clock::now();
  const bool full_scan = now - last_full_scan_ >= kFullScanEvery;
  std::vector<ProcStat> alive;
  if (full_scan) {
    last_full_scan_ = now;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(proc_root_, ec)) {
      auto pid = pid_from_name(entry.path().filename().string());
      if (!pid) continue;
      if (auto stat = read_proc_stat(proc_root_, *pid)) alive.push_back(*stat);
    }
  } else {
    for (const auto& [pid, start] : members_) {
      if (auto stat = read_proc_stat(proc_root_, pid)) alive.push_back(*stat);
    }
  }
  auto is_member = [&](const ProcStat& s) {
    auto it = members_.find(s.pid);
    return it != members_.end() && it->second == s.start_ticks;
  };
  // Members stay members when reparented (an orphan still belongs to the work we measure); a
  // process whose parent is a member joins. Repeat until no new process joins, since a whole
  // chain may have been born between two scans.
  for (bool grew = full_scan; grew;) {
    grew = false;
    for (const auto& s : alive) {
      const bool adopted = adopter_ > 0 && s.ppid == adopter_;
      if (is_member(s) || (!members_.count(s.ppid) && !adopted)) continue;
      members_[s.pid] = s.start_ticks;
      grew = true;
    }
  }
  double total = 0;
  std::map<pid_t, uint64_t> still_alive;
  for (const auto& s : alive) {
    if (!is_member(s)) continue;
    still_alive[s.pid] = s.start_ticks;
    total += s.cpu_seconds + s.reaped_child_seconds;
    usage.rss_bytes += s.rss_bytes;
    ++usage.processes;
  }
  members_ = std::move(still_alive);
  // A member that dies and is reaped outside the tree takes its time with it; the figure then
  // stays at what was seen rather than dropping.
  cpu_seconds_ = std::max(cpu_seconds_, total);
  usage.cpu_seconds = earlier_roots_seconds_ + cpu_seconds_;
  return usage;
}

void ProcessTree::finish(double cpu_seconds) {
  std::lock_guard lock(mutex_);
  cpu_seconds_ = std::max(cpu_seconds_, cpu_seconds);
  finished_ = true;
  members_.clear();
}

}  // namespace greentune::energy
