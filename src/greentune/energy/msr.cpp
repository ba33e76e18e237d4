#include "greentune/energy/msr.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "greentune/energy/cpu_topology.hpp"
#include "greentune/energy/sysfs_read.hpp"

namespace greentune::energy {
namespace {

constexpr uint64_t kWrap = uint64_t{1} << 32;
// As for powercap: about 2x the highest server TDP for a package, less for its parts.
constexpr double kMaxPackageWatts = 1000.0;

enum class Vendor { intel, amd, other };

struct Register {
  const char* kernel_name;  // "package", "dram", ...
  uint32_t address;
  bool part_of_parent;
};

constexpr uint32_t kIntelUnit = 0x606;
constexpr Register kIntelRegisters[] = {
    {"package", 0x611, false},
    {"dram", 0x619, false},   // outside the package domain
    {"core", 0x639, true},    // PP0
    {"uncore", 0x641, true},  // PP1 (integrated graphics on client parts)
};
constexpr uint32_t kAmdUnit = 0xC0010299;
constexpr uint32_t kAmdCore = 0xC001029A;
constexpr uint32_t kAmdPackage = 0xC001029B;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::optional<uint64_t> read_register(int fd, uint32_t address, int* error = nullptr) {
  unsigned char bytes[8];
  ssize_t n = ::pread(fd, bytes, sizeof bytes, static_cast<off_t>(address));
  if (n != 8) {
    if (error) *error = n < 0 ? errno : EIO;
    return std::nullopt;
  }
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

struct CpuIdentity {
  Vendor vendor = Vendor::other;
  int family = -1;
  int model = -1;
};

CpuIdentity read_cpu_identity(const SystemPaths& paths) {
  CpuIdentity cpu;
  std::ifstream in(paths.proc_root / "cpuinfo");
  std::string line;
  auto number_after_colon = [](const std::string& text) {
    auto colon = text.find(':');
    if (colon == std::string::npos) return -1;
    auto start = text.find_first_not_of(" \t", colon + 1);
    auto value = start == std::string::npos ? std::nullopt : parse_u64(text.substr(start));
    return value && *value < 4096 ? static_cast<int>(*value) : -1;
  };
  bool vendor_seen = false;
  while (std::getline(in, line)) {
    if (line.empty() && vendor_seen) break;  // the first processor's block is enough
    if (line.rfind("vendor_id", 0) == 0) {
      vendor_seen = true;
      if (line.find("GenuineIntel") != std::string::npos) {
        cpu.vendor = Vendor::intel;
      } else if (line.find("AuthenticAMD") != std::string::npos ||
                 line.find("HygonGenuine") != std::string::npos) {
        cpu.vendor = Vendor::amd;
      }
    } else if (line.rfind("cpu family", 0) == 0) {
      cpu.family = number_after_colon(line);
    } else if (line.rfind("model", 0) == 0 && line.rfind("model name", 0) != 0) {
      cpu.model = number_after_colon(line);
    }
  }
  return cpu;
}

// Intel server parts whose DRAM counter ignores the unit register and counts 15.3 uJ steps
// (the Linux RAPL driver's table: Haswell-X, Broadwell-X, Skylake/Cascade Lake-X, Ice Lake-X/D,
// Xeon Phi KNL/KNM).
bool fixed_dram_unit(const CpuIdentity& cpu) {
  if (cpu.vendor != Vendor::intel || cpu.family != 6) return false;
  for (int model : {0x3F, 0x4F, 0x55, 0x6A, 0x6C, 0x57, 0x85}) {
    if (cpu.model == model) return true;
  }
  return false;
}
constexpr double kFixedDramJoulesPerUnit = 15.3e-6;

// One domain. Package-wide registers are one read on one CPU; AMD's core energy is per core, so
// core-N sums every core of the package, unwrapping each 32-bit counter here (hence 64-bit out).
struct Counter {
  DomainInfo info;
  uint32_t address = 0;
  std::vector<int> fds;  // indexes into MsrSource::files_
  double joules_per_unit = 0;
  std::vector<uint64_t> last;  // per fd, for the summed case
  std::vector<uint64_t> totals;
  bool summed = false;
};

class MsrSource final : public Source {
 public:
  MsrSource(std::vector<Fd> files, std::vector<Counter> counters)
      : files_(std::move(files)), counters_(std::move(counters)) {}

  std::string name() const override { return "msr"; }
  std::vector<DomainInfo> domains() const override {
    std::vector<DomainInfo> out;
    for (const auto& c : counters_) out.push_back(c.info);
    return out;
  }

  std::vector<CounterRead> read() override {
    std::vector<CounterRead> reads;
    for (auto& counter : counters_) {
      CounterRead read;
      read.joules_per_unit = counter.joules_per_unit;
      if (!counter.summed) {
        auto raw = read_register(files_[counter.fds[0]].get(), counter.address);
        read.ok = raw.has_value();
        read.value = raw ? (*raw & (kWrap - 1)) : 0;
        read.wraps_at = kWrap;
      } else {
        read.wraps_at = 0;
        for (size_t i = 0; i < counter.fds.size() && read.ok; ++i) {
          auto raw = read_register(files_[counter.fds[i]].get(), counter.address);
          if (!raw) {
            read.ok = false;
            break;
          }
          uint64_t now = *raw & (kWrap - 1);
          counter.totals[i] += (now + kWrap - counter.last[i]) % kWrap;
          counter.last[i] = now;
        }
        for (uint64_t total : counter.totals) read.value += total;
        if (!read.ok) read.value = 0;
      }
      reads.push_back(read);
    }
    return reads;
  }

  std::chrono::milliseconds max_read_interval() const override {
    double seconds = 3600;
    for (const auto& c : counters_) {
      // A summed counter must be read before any single core's counter wraps twice; a core
      // draws far less than a package, so the package bound covers it.
      seconds =
          std::min(seconds, static_cast<double>(kWrap) * c.joules_per_unit / 2 / kMaxPackageWatts);
    }
    return std::chrono::milliseconds(std::max<int64_t>(1, static_cast<int64_t>(seconds * 1000)));
  }

 private:
  std::vector<Fd> files_;
  std::vector<Counter> counters_;
};

std::string open_failure_reason(const std::filesystem::path& device, int error) {
  if (error == ENOENT || error == ENXIO || error == ENODEV) {
    return "no MSR device " + device.string() +
           " (msr module not loaded, or a VM without RAPL MSRs); load it with: sudo modprobe msr";
  }
  if (error == EACCES || error == EPERM) {
    return "permission denied opening " + device.string() + " (" + describe_errno(error) +
           "); MSRs need root and CAP_SYS_RAWIO: run greentune as root, or: sudo chmod o+r " +
           device.parent_path().parent_path().string() +
           "/*/msr && sudo setcap cap_sys_rawio=ep $(command -v greentune)";
  }
  return "cannot open " + device.string() + ": " + describe_errno(error);
}

double energy_unit(uint64_t unit_register) {
  // Bits 12:8: energy status unit, in joules 1 / 2^ESU.
  return std::ldexp(1.0, -static_cast<int>((unit_register >> 8) & 0x1f));
}

}  // namespace

std::unique_ptr<Source> open_msr(const SystemPaths& paths, ProbeResult& result) {
  result = ProbeResult{};
  result.source = "msr";
  CpuIdentity identity = read_cpu_identity(paths);
  Vendor vendor = identity.vendor;
  if (vendor == Vendor::other) {
    result.reason = "CPU vendor in " + (paths.proc_root / "cpuinfo").string() +
                    " is neither GenuineIntel nor AuthenticAMD/HygonGenuine: no known RAPL MSRs";
    return nullptr;
  }
  CpuTopology topology = read_cpu_topology(paths);
  if (topology.packages.empty()) {
    // Without topology, one package on CPU 0 is the only safe guess.
    topology.packages[0] = {0};
    topology.core_firsts[0] = {0};
  }

  std::vector<Fd> files;
  std::vector<Counter> counters;
  std::vector<std::string> notes;
  auto open_cpu = [&](int cpu, int& index, std::string& failure) {
    auto device = paths.dev_root / "cpu" / std::to_string(cpu) / "msr";
    int fd = ::open(device.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      failure = open_failure_reason(device, errno);
      return false;
    }
    files.emplace_back(fd);
    index = static_cast<int>(files.size() - 1);
    return true;
  };

  for (const auto& [package, cpus] : topology.packages) {
    std::string failure;
    int index = -1;
    if (!open_cpu(cpus.front(), index, failure)) {
      result.reason = failure;
      return nullptr;
    }
    int fd = files[static_cast<size_t>(index)].get();
    int error = 0;
    auto unit = read_register(fd, vendor == Vendor::intel ? kIntelUnit : kAmdUnit, &error);
    if (!unit) {
      result.reason = "cannot read the RAPL power-unit MSR on CPU " + std::to_string(cpus.front()) +
                      " (" + describe_errno(error) + "): this CPU or VM does not expose RAPL";
      return nullptr;
    }
    double joules_per_unit = energy_unit(*unit);
    std::string suffix = "-" + std::to_string(package);
    auto add = [&](const std::string& kernel_name, uint32_t address, bool part_of_parent,
                   std::vector<int> fds, bool summed) {
      Counter counter;
      counter.info.name = kernel_name + suffix;
      counter.info.source = "msr";
      counter.info.kind = Kind::measured;
      counter.info.part_of_parent = part_of_parent;
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%X", address);
      counter.info.method = "RAPL MSR " + std::string(hex) +
                            (summed ? " summed over " + std::to_string(fds.size()) + " cores"
                                    : " on CPU " + std::to_string(cpus.front()));
      counter.address = address;
      counter.joules_per_unit = joules_per_unit;
      counter.summed = summed;
      counter.fds = std::move(fds);
      counters.push_back(std::move(counter));
    };

    if (vendor == Vendor::intel) {
      for (const auto& reg : kIntelRegisters) {
        // Not every part has every register (no DRAM on clients, no PP1 on servers): EIO.
        if (!read_register(fd, reg.address, &error)) {
          notes.push_back(std::string(reg.kernel_name) + suffix + " not present (" +
                          describe_errno(error) + ")");
          continue;
        }
        add(reg.kernel_name, reg.address, reg.part_of_parent, {index}, false);
        if (reg.address == 0x619 && fixed_dram_unit(identity)) {
          counters.back().joules_per_unit = kFixedDramJoulesPerUnit;
          counters.back().info.method += ", fixed 15.3 uJ unit of this server model";
        }
      }
    } else {
      if (!read_register(fd, kAmdPackage, &error)) {
        result.reason = "cannot read the AMD package energy MSR on CPU " +
                        std::to_string(cpus.front()) + " (" + describe_errno(error) + ")";
        return nullptr;
      }
      add("package", kAmdPackage, false, {index}, false);
      std::vector<int> core_fds;
      bool cores_ok = true;
      for (int cpu : topology.core_firsts[package]) {
        int core_index = index;
        if (cpu != cpus.front() && !open_cpu(cpu, core_index, failure)) {
          cores_ok = false;
          break;
        }
        if (!read_register(files[static_cast<size_t>(core_index)].get(), kAmdCore, &error)) {
          failure = "core energy MSR unreadable on CPU " + std::to_string(cpu);
          cores_ok = false;
          break;
        }
        core_fds.push_back(core_index);
      }
      if (cores_ok) {
        add("core", kAmdCore, true, core_fds, true);
        Counter& core = counters.back();
        for (int core_index : core.fds) {
          auto raw = read_register(files[static_cast<size_t>(core_index)].get(), kAmdCore);
          core.last.push_back(raw ? (*raw & (kWrap - 1)) : 0);
          core.totals.push_back(0);
        }
      } else {
        notes.push_back("core" + suffix + " skipped: " + failure);
      }
    }
  }

  if (counters.empty()) {
    result.reason = "no RAPL energy MSR readable";
    for (const auto& note : notes) result.reason += "; " + note;
    return nullptr;
  }
  auto source = std::make_unique<MsrSource>(std::move(files), std::move(counters));
  result.usable = true;
  result.domains = source->domains();
  for (size_t i = 0; i < notes.size(); ++i) result.reason += (i ? "; " : "") + notes[i];
  return source;
}

}  // namespace greentune::energy
