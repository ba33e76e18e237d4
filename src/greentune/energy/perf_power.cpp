#include "greentune/energy/perf_power.hpp"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "greentune/energy/cpu_topology.hpp"
#include "greentune/energy/sysfs_read.hpp"

namespace greentune::energy {
namespace {

struct KnownEvent {
  const char* event;
  const char* domain;
  bool part_of_parent;
};
// cores and gpu (PP0/PP1) sit inside the package; psys covers the platform, packages included.
constexpr KnownEvent kKnownEvents[] = {
    {"energy-pkg", "package", false}, {"energy-ram", "dram", false}, {"energy-cores", "core", true},
    {"energy-gpu", "uncore", true},   {"energy-psys", "psys", true},
};

// "config:0-7" -> 0 (the lowest bit the field starts at); nullopt when not a config field.
std::optional<int> config_shift(const std::filesystem::path& format_file) {
  FileText text = read_attribute(format_file);
  if (!text.ok() || text.text.rfind("config:", 0) != 0) return std::nullopt;
  std::string_view bits = std::string_view(text.text).substr(7);
  auto low = parse_u64(bits.substr(0, bits.find('-')));
  if (!low || *low > 63) return std::nullopt;
  return static_cast<int>(*low);
}

// "event=0x02" (terms separated by commas), placed by the PMU's format/ fields.
std::optional<uint64_t> parse_event_config(const std::filesystem::path& pmu, std::string_view text,
                                           std::string& error) {
  uint64_t config = 0;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view term = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    auto equals = term.find('=');
    std::string name(term.substr(0, equals));
    auto value = equals == std::string_view::npos ? std::optional<uint64_t>(1)
                                                  : parse_u64_auto(term.substr(equals + 1));
    if (!value) {
      error = "term '" + std::string(term) + "' has no number";
      return std::nullopt;
    }
    auto shift = config_shift(pmu / "format" / name);
    if (!shift && name != "event") {
      error = "term '" + name + "' is not a config field in " + (pmu / "format").string();
      return std::nullopt;
    }
    config |= *value << shift.value_or(0);
  }
  return config;
}

class PerfPowerSource final : public Source {
 public:
  struct Counter {
    DomainInfo info;
    int fd = -1;
    double scale = 0;
  };
  explicit PerfPowerSource(std::vector<Counter> counters) : counters_(std::move(counters)) {}
  ~PerfPowerSource() override {
    for (const auto& c : counters_) ::close(c.fd);
  }
  PerfPowerSource(const PerfPowerSource&) = delete;
  PerfPowerSource& operator=(const PerfPowerSource&) = delete;

  std::string name() const override { return "perf"; }
  std::vector<DomainInfo> domains() const override {
    std::vector<DomainInfo> out;
    for (const auto& c : counters_) out.push_back(c.info);
    return out;
  }
  // The kernel accumulates RAPL into a 64-bit count (its own timer keeps ahead of the 32-bit
  // register), so these never wrap within a run: the default bound applies.
  std::vector<CounterRead> read() override {
    std::vector<CounterRead> reads;
    for (const auto& c : counters_) {
      CounterRead read;
      read.wraps_at = 0;
      read.joules_per_unit = c.scale;
      uint64_t count = 0;
      read.ok = ::read(c.fd, &count, sizeof count) == static_cast<ssize_t>(sizeof count);
      read.value = read.ok ? count : 0;
      reads.push_back(read);
    }
    return reads;
  }

 private:
  std::vector<Counter> counters_;
};

}  // namespace

std::optional<PerfPowerPmu> read_perf_power_pmu(const SystemPaths& paths, std::string& reason) {
  auto pmu_dir = paths.sysfs_root / "bus/event_source/devices/power";
  std::error_code ec;
  if (!std::filesystem::is_directory(pmu_dir, ec)) {
    reason = "no perf power PMU at " + pmu_dir.string() +
             " (kernel without RAPL perf support, a VM that hides RAPL, or a CPU without it)";
    return std::nullopt;
  }
  PerfPowerPmu pmu;
  FileText type = read_attribute(pmu_dir / "type");
  auto type_value = type.ok() ? parse_u64(type.text) : std::nullopt;
  if (!type_value || *type_value > UINT32_MAX) {
    reason = (pmu_dir / "type").string() + " is not a PMU type number: '" + type.text + "'";
    return std::nullopt;
  }
  pmu.type = static_cast<uint32_t>(*type_value);

  FileText mask = read_attribute(pmu_dir / "cpumask");
  auto cpus = mask.ok() ? parse_cpu_list(mask.text) : std::nullopt;
  if (!cpus || cpus->empty()) {
    reason = (pmu_dir / "cpumask").string() + " is not a CPU list: '" + mask.text + "'";
    return std::nullopt;
  }
  CpuTopology topology = read_cpu_topology(paths);
  for (size_t i = 0; i < cpus->size(); ++i) {
    int cpu = (*cpus)[i];
    auto known = topology.package_of_cpu.find(cpu);
    // The PMU lists one CPU per package in package order; use that when sysfs has no topology.
    int package = known != topology.package_of_cpu.end() ? known->second : static_cast<int>(i);
    pmu.cpus.push_back({cpu, package, -1});
  }
  for (auto& entry : pmu.cpus) {
    auto same_package = [&entry](const PerfPowerCpu& other) {
      return other.package == entry.package && other.cpu != entry.cpu;
    };
    if (std::any_of(pmu.cpus.begin(), pmu.cpus.end(), same_package)) {
      auto die = read_u64(paths.sysfs_root / "devices/system/cpu" /
                          ("cpu" + std::to_string(entry.cpu)) / "topology/die_id");
      entry.die = die ? static_cast<int>(*die) : entry.cpu;
    }
  }

  for (const auto& known : kKnownEvents) {
    auto event_file = pmu_dir / "events" / known.event;
    FileText event = read_attribute(event_file);
    if (!event.ok()) continue;  // this CPU does not have that domain
    std::string error;
    auto config = parse_event_config(pmu_dir, event.text, error);
    FileText scale = read_attribute(pmu_dir / "events" / (std::string(known.event) + ".scale"));
    FileText unit = read_attribute(pmu_dir / "events" / (std::string(known.event) + ".unit"));
    double scale_value = 0;
    if (scale.ok()) {
      char* end = nullptr;
      scale_value = std::strtod(scale.text.c_str(), &end);
      if (end == scale.text.c_str() || *end != '\0') scale_value = 0;
    }
    if (!config) {
      pmu.notes.push_back(std::string(known.event) + ": " + error);
    } else if (!(scale_value > 0)) {
      pmu.notes.push_back(std::string(known.event) + ": scale is not a positive number: '" +
                          scale.text + "'");
    } else if (unit.ok() && unit.text != "Joules") {
      pmu.notes.push_back(std::string(known.event) + ": unit is '" + unit.text +
                          "', expected Joules");
    } else {
      pmu.events.push_back({known.event, known.domain, known.part_of_parent, *config, scale_value});
    }
  }
  if (pmu.events.empty()) {
    reason = "the perf power PMU at " + pmu_dir.string() + " has no usable energy-* event";
    for (const auto& note : pmu.notes) reason += "; " + note;
    return std::nullopt;
  }
  return pmu;
}

std::string perf_open_failure_reason(int error, int cpu, const std::string& event,
                                     const SystemPaths& paths) {
  std::string what = "perf_event_open(" + event + ", CPU " + std::to_string(cpu) +
                     ") failed: " + describe_errno(error);
  if (error == EACCES || error == EPERM) {
    auto paranoid_file = paths.proc_root / "sys/kernel/perf_event_paranoid";
    FileText paranoid = read_attribute(paranoid_file);
    return what + "; system-wide energy counters need kernel.perf_event_paranoid <= 0 (it is " +
           (paranoid.ok() ? paranoid.text : std::string("unknown")) +
           ") or CAP_PERFMON: run: sudo sysctl kernel.perf_event_paranoid=0, or run greentune as "
           "root, or: sudo setcap cap_perfmon=ep $(command -v greentune) (in a container, its "
           "seccomp profile may also block perf_event_open)";
  }
  if (error == ENOSYS) return what + " (kernel built without perf events)";
  if (error == ENOENT || error == EINVAL || error == ENODEV || error == EOPNOTSUPP) {
    return what + " (the running kernel does not accept the power PMU event described in " +
           (paths.sysfs_root / "bus/event_source/devices/power").string() + ")";
  }
  return what;
}

std::unique_ptr<Source> open_perf_power(const SystemPaths& paths, ProbeResult& result) {
  result = ProbeResult{};
  result.source = "perf";
  std::string reason;
  auto pmu = read_perf_power_pmu(paths, reason);
  if (!pmu) {
    result.reason = reason;
    return nullptr;
  }
  std::vector<PerfPowerSource::Counter> counters;
  auto close_all = [&counters] {
    for (const auto& c : counters) ::close(c.fd);
  };
  for (const auto& cpu : pmu->cpus) {
    for (const auto& event : pmu->events) {
      perf_event_attr attr;
      std::memset(&attr, 0, sizeof attr);
      attr.size = sizeof attr;
      attr.type = pmu->type;
      attr.config = event.config;
      long fd = syscall(SYS_perf_event_open, &attr, -1, cpu.cpu, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd < 0) {
        int error = errno;
        close_all();
        result.reason = perf_open_failure_reason(error, cpu.cpu, event.event, paths);
        return nullptr;
      }
      PerfPowerSource::Counter counter;
      counter.fd = static_cast<int>(fd);
      counter.scale = event.scale;
      bool one_psys = event.domain == std::string("psys") && pmu->cpus.size() == 1;
      std::string where = std::to_string(cpu.package);
      if (cpu.die >= 0) where += "-die-" + std::to_string(cpu.die);
      counter.info.name = one_psys ? "psys" : event.domain + "-" + where;
      counter.info.source = "perf";
      counter.info.kind = Kind::measured;
      counter.info.part_of_parent = event.part_of_parent;
      counter.info.method =
          "RAPL via perf power/" + event.event + "/ on CPU " + std::to_string(cpu.cpu);
      counters.push_back(counter);
    }
  }
  auto source = std::make_unique<PerfPowerSource>(std::move(counters));
  result.usable = true;
  result.domains = source->domains();
  for (size_t i = 0; i < pmu->notes.size(); ++i) result.reason += (i ? "; " : "") + pmu->notes[i];
  return source;
}

}  // namespace greentune::energy
