#include "greentune/energy/powercap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "greentune/energy/sysfs_read.hpp"

namespace greentune::energy {
namespace {

// Without a stated limit, assume a domain can draw this much: about 2x the highest server TDPs,
// so the sampling bound stays safe on any machine we can run on.
constexpr double kFallbackMaxWatts = 1000.0;

struct Zone {
  std::filesystem::path dir;
  std::string zone_id;  // "intel-rapl:0:1"
  bool mmio = false;
  uint64_t top = 0;  // the N of intel-rapl:N
  bool subzone = false;
  std::string kernel_name;  // contents of `name`
  std::string domain;
  uint64_t wraps_at = 0;
  double max_watts = kFallbackMaxWatts;
  std::string note;  // added to the method text
};

// Zone and folder names are read by hand rather than with std::regex, whose set-up alone cost
// more instructions than the rest of a `greentune meters` start-up.

// The number of decimal digits `text` starts with.
size_t leading_digits(std::string_view text) {
  size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
  return n;
}

// What a powercap folder name says: intel-rapl:N (a top zone) or intel-rapl:N:M (its subzone),
// or the same under intel-rapl-mmio. Nullopt for anything else.
struct ZoneName {
  bool mmio = false;
  uint64_t top = 0;
  bool subzone = false;
};
std::optional<ZoneName> parse_zone_name(std::string_view id) {
  ZoneName name;
  if (id.starts_with("intel-rapl-mmio:")) {
    name.mmio = true;
    id.remove_prefix(std::string_view("intel-rapl-mmio:").size());
  } else if (id.starts_with("intel-rapl:")) {
    id.remove_prefix(std::string_view("intel-rapl:").size());
  } else {
    return std::nullopt;
  }
  const size_t top_digits = leading_digits(id);
  const auto top = parse_u64(id.substr(0, top_digits));
  if (top_digits == 0 || !top) return std::nullopt;
  name.top = *top;
  id.remove_prefix(top_digits);
  if (id.empty()) return name;
  if (id.front() != ':') return std::nullopt;
  id.remove_prefix(1);
  if (id.empty() || leading_digits(id) != id.size()) return std::nullopt;
  name.subzone = true;
  return name;
}

// The N of a zone named package-N-die-M, or nullopt.
std::optional<std::string> die_zone_package(std::string_view kernel_name) {
  if (!kernel_name.starts_with("package-")) return std::nullopt;
  kernel_name.remove_prefix(std::string_view("package-").size());
  const size_t package_digits = leading_digits(kernel_name);
  if (package_digits == 0) return std::nullopt;
  const std::string package(kernel_name.substr(0, package_digits));
  kernel_name.remove_prefix(package_digits);
  if (!kernel_name.starts_with("-die-")) return std::nullopt;
  kernel_name.remove_prefix(std::string_view("-die-").size());
  if (kernel_name.empty() || leading_digits(kernel_name) != kernel_name.size()) return std::nullopt;
  return package;
}

std::string top_domain_name(const std::string& kernel_name, uint64_t top) {
  // "package-0" already carries its package; "psys" is one per platform; anything else gets the
  // zone number so two of them cannot collide.
  if (kernel_name.rfind("package-", 0) == 0 || kernel_name == "psys") return kernel_name;
  return kernel_name + "-" + std::to_string(top);
}

// "package-1" -> "1"; "package-0-die-1" (multi-die parts) -> "0-die-1".
std::string package_suffix(const std::string& parent_domain) {
  if (parent_domain.rfind("package-", 0) == 0) return parent_domain.substr(8);
  auto dash = parent_domain.rfind('-');
  return dash == std::string::npos ? parent_domain : parent_domain.substr(dash + 1);
}

double stated_max_watts(const std::filesystem::path& dir) {
  double watts = 0;
  for (int i = 0; i < 8; ++i) {
    auto uw = read_u64(dir / ("constraint_" + std::to_string(i) + "_max_power_uw"));
    if (uw && *uw > 0) watts = std::max(watts, static_cast<double>(*uw) * 1e-6);
  }
  // Limits can be exceeded briefly (PL2 boosts); double the stated maximum to stay safe.
  return watts > 0 ? 2 * watts : kFallbackMaxWatts;
}

class PowercapSource final : public Source {
 public:
  explicit PowercapSource(std::vector<Zone> zones) : zones_(std::move(zones)) {
    for (const auto& zone : zones_) {
      DomainInfo info;
      info.name = zone.domain;
      info.source = "powercap";
      info.kind = Kind::measured;
      info.method = "RAPL via powercap " + zone.zone_id + " (" + zone.kernel_name + ")";
      // core/uncore sit inside their package; psys covers the whole platform, packages included.
      // DRAM is outside the package domain, so it is a part of its own.
      info.part_of_parent =
          zone.kernel_name == "core" || zone.kernel_name == "uncore" || zone.kernel_name == "psys";
      if (zone.kernel_name == "psys") info.method += "; overlaps the packages, not added to totals";
      info.method += zone.note;
      domains_.push_back(info);
    }
  }

  std::string name() const override { return "powercap"; }
  std::vector<DomainInfo> domains() const override { return domains_; }

  std::vector<CounterRead> read() override {
    std::vector<CounterRead> reads;
    reads.reserve(zones_.size());
    for (const auto& zone : zones_) {
      CounterRead read;
      read.wraps_at = zone.wraps_at;
      read.joules_per_unit = 1e-6;
      auto value = read_u64(zone.dir / "energy_uj");
      read.ok = value.has_value() && *value < zone.wraps_at;
      read.value = read.ok ? *value : 0;
      reads.push_back(read);
    }
    return reads;
  }

  std::chrono::milliseconds max_read_interval() const override {
    double seconds = 3600;
    for (const auto& zone : zones_) {
      double range_joules = static_cast<double>(zone.wraps_at) * 1e-6;
      seconds = std::min(seconds, range_joules / 2 / zone.max_watts);
    }
    return std::chrono::milliseconds(std::max<int64_t>(1, static_cast<int64_t>(seconds * 1000)));
  }

 private:
  std::vector<Zone> zones_;
  std::vector<DomainInfo> domains_;
};

std::string permission_reason(const std::filesystem::path& file,
                              const std::filesystem::path& root) {
  // Every zone, subzones and MMIO copies included, is a direct entry of class/powercap.
  auto pattern = (root / "intel-rapl*/energy_uj").string();
  return "permission denied reading " + file.string() +
         " (energy_uj is root-only on Linux >= 5.10, since the PLATYPUS side channel); grant "
         "read access with: sudo chmod a+r " +
         pattern +
         " (until reboot; for a lasting fix add a udev rule: SUBSYSTEM==\"powercap\", "
         "ACTION==\"add\", RUN+=\"/bin/chmod a+r /sys%p/energy_uj\"), or run greentune as root";
}

// Probe rounds for mirrored zones, and how many must agree.
constexpr int kMirrorRounds = 5;
constexpr int kMirrorAgreeing = 4;

// Whether two zones read one counter: in each round b is read between two reads of a, so a shared
// counter shows b equal to one of them (it rarely ticks twice within microseconds), while two
// live counters almost never agree. Counters that both stand still agree too, and then counting
// one loses nothing.
int rounds_in_step(const Zone& a, const Zone& b) {
  if (a.wraps_at != b.wraps_at) return 0;
  int agree = 0;
  for (int round = 0; round < kMirrorRounds; ++round) {
    if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto a1 = read_u64(a.dir / "energy_uj");
    auto b1 = read_u64(b.dir / "energy_uj");
    auto a2 = read_u64(a.dir / "energy_uj");
    if (!a1 || !b1 || !a2) return 0;
    if (*b1 == *a1 || *b1 == *a2) ++agree;
  }
  return agree;
}

// AMD packages with several dies expose package-N-die-M zones (and their subzones) that all read
// the one socket counter: adding them would count the socket once per die. Keeps the first die's
// zone, drops the copies, and says so in `skipped` and in the kept zone's method.
void drop_mirrored_dies(std::vector<Zone>& zones, std::vector<std::string>& skipped) {
  std::vector<bool> dropped(zones.size(), false);
  auto package_of = [&](const Zone& zone) -> std::optional<std::string> {
    if (zone.subzone) return std::nullopt;
    return die_zone_package(zone.kernel_name);
  };
  auto drop = [&](size_t copy, size_t original, int agree) {
    dropped[copy] = true;
    skipped.push_back(fmt::format(
        "{} ({}): the same counter as {} ({}) (equal readings in {} of {} probe rounds): one "
        "socket counter exposed per die, counted once",
        zones[copy].zone_id, zones[copy].kernel_name, zones[original].zone_id,
        zones[original].kernel_name, agree, kMirrorRounds));
    zones[original].note += fmt::format("; also exposed as {} ({}), counted once",
                                        zones[copy].zone_id, zones[copy].kernel_name);
  };
  for (size_t i = 0; i < zones.size(); ++i) {
    const auto package = package_of(zones[i]);
    if (!package || dropped[i]) continue;
    for (size_t j = i + 1; j < zones.size(); ++j) {
      if (dropped[j] || package_of(zones[j]) != package) continue;
      const int agree = rounds_in_step(zones[i], zones[j]);
      if (agree < kMirrorAgreeing) continue;
      drop(j, i, agree);
      // The copy's subzones are copies too when they read like the original's namesakes.
      for (size_t sub = 0; sub < zones.size(); ++sub) {
        const Zone& z = zones[sub];
        if (!z.subzone || z.mmio != zones[j].mmio || z.top != zones[j].top) continue;
        for (size_t orig = 0; orig < zones.size(); ++orig) {
          const Zone& o = zones[orig];
          if (!o.subzone || o.mmio != zones[i].mmio || o.top != zones[i].top ||
              o.kernel_name != z.kernel_name || dropped[orig]) {
            continue;
          }
          const int sub_agree = rounds_in_step(o, z);
          if (sub_agree >= kMirrorAgreeing) drop(sub, orig, sub_agree);
          break;
        }
      }
    }
  }
  std::vector<Zone> kept;
  for (size_t i = 0; i < zones.size(); ++i) {
    if (!dropped[i]) kept.push_back(std::move(zones[i]));
  }
  zones = std::move(kept);
}

}  // namespace

std::unique_ptr<Source> open_powercap(const SystemPaths& paths, ProbeResult& result) {
  result = ProbeResult{};
  result.source = "powercap";
  auto root = paths.sysfs_root / "class/powercap";
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    result.reason = "no powercap tree at " + root.string() +
                    " (kernel without intel_rapl_msr/intel_rapl_common, a VM or container "
                    "without it; try: sudo modprobe intel_rapl_msr)";
    return nullptr;
  }

  std::vector<Zone> zones;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    std::string id = entry.path().filename().string();
    const auto name = parse_zone_name(id);
    if (!name) continue;
    Zone zone;
    zone.dir = entry.path();
    zone.zone_id = id;
    zone.mmio = name->mmio;
    zone.top = name->top;
    zone.subzone = name->subzone;
    zones.push_back(zone);
  }
  if (zones.empty()) {
    result.reason = "no intel-rapl:* or intel-rapl-mmio:* zones in " + root.string() +
                    " (RAPL not exposed on this machine; try: sudo modprobe intel_rapl_msr)";
    return nullptr;
  }
  // Parents before their subzones, and the MSR-backed tree before its MMIO copy.
  std::sort(zones.begin(), zones.end(), [](const Zone& a, const Zone& b) {
    return std::tie(a.mmio, a.top, a.subzone, a.zone_id) <
           std::tie(b.mmio, b.top, b.subzone, b.zone_id);
  });

  std::map<std::pair<bool, uint64_t>, std::string> top_domain;  // (mmio, N) -> domain
  std::vector<Zone> kept;
  std::vector<std::string> skipped;
  auto has_domain = [&kept](const std::string& name) {
    return std::any_of(kept.begin(), kept.end(), [&](const Zone& z) { return z.domain == name; });
  };
  for (auto& zone : zones) {
    FileText name = read_attribute(zone.dir / "name");
    if (!name.ok() || name.text.empty()) {
      skipped.push_back(zone.zone_id + ": unreadable name (" + describe_errno(name.error) + ")");
      continue;
    }
    zone.kernel_name = name.text;
    if (!zone.subzone) {
      zone.domain = top_domain_name(zone.kernel_name, zone.top);
      top_domain[{zone.mmio, zone.top}] = zone.domain;
    } else {
      auto parent = top_domain.find({zone.mmio, zone.top});
      std::string package =
          parent == top_domain.end() ? std::to_string(zone.top) : package_suffix(parent->second);
      zone.domain = zone.kernel_name + "-" + package;
    }
    // The MMIO interface reports the same package counter as the MSR one: keep one copy.
    if (has_domain(zone.domain)) {
      if (zone.mmio) continue;
      // Two MSR-backed zones with one name (a psys per socket): both count, so keep both.
      zone.domain += "-zone" + std::to_string(zone.top);
      if (zone.subzone || has_domain(zone.domain)) {
        skipped.push_back(zone.zone_id + ": duplicate domain " + zone.domain);
        continue;
      }
    }

    FileText energy = read_attribute(zone.dir / "energy_uj");
    if (!energy.ok()) {
      if (energy.error == EACCES || energy.error == EPERM) {
        result.reason = permission_reason(zone.dir / "energy_uj", root);
        return nullptr;
      }
      skipped.push_back(zone.zone_id + ": cannot read energy_uj (" + describe_errno(energy.error) +
                        ")");
      continue;
    }
    if (!parse_u64(energy.text)) {
      skipped.push_back(zone.zone_id + ": energy_uj is not a number: '" + energy.text + "'");
      continue;
    }
    auto range = read_u64(zone.dir / "max_energy_range_uj");
    if (!range || *range == 0 || *range == UINT64_MAX) {
      skipped.push_back(zone.zone_id + ": max_energy_range_uj missing or not a positive number");
      continue;
    }
    zone.wraps_at = *range + 1;
    zone.max_watts = stated_max_watts(zone.dir);
    kept.push_back(zone);
  }

  if (kept.empty()) {
    result.reason = "no readable RAPL zone in " + root.string();
    for (const auto& s : skipped) result.reason += "; " + s;
    return nullptr;
  }
  drop_mirrored_dies(kept, skipped);
  auto source = std::make_unique<PowercapSource>(std::move(kept));
  result.usable = true;
  result.domains = source->domains();
  if (!skipped.empty()) {
    result.reason = "skipped";
    for (size_t i = 0; i < skipped.size(); ++i) result.reason += (i ? "; " : " ") + skipped[i];
  }
  return source;
}

}  // namespace greentune::energy
