#include "greentune/energy/cpu_tdp.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

namespace greentune::resources {
extern const unsigned char cpu_power_csv[];
}

namespace greentune::energy {
namespace {

// One CSV field: quoted ("a, b") or plain.
std::string_view next_field(std::string_view& line) {
  if (!line.empty() && line.front() == '"') {
    auto close = line.find('"', 1);
    if (close == std::string_view::npos) close = line.size();
    std::string_view field = line.substr(1, close - 1);
    line.remove_prefix(std::min(line.size(), close + 1));
    if (!line.empty() && line.front() == ',') line.remove_prefix(1);
    return field;
  }
  auto comma = line.find(',');
  std::string_view field = line.substr(0, comma);
  line.remove_prefix(comma == std::string_view::npos ? line.size() : comma + 1);
  return field;
}

std::vector<TdpEntry> parse_table() {
  std::vector<TdpEntry> table;
  table.reserve(5000);
  std::string_view csv(reinterpret_cast<const char*>(resources::cpu_power_csv));
  bool header = true;
  while (!csv.empty()) {
    auto newline = csv.find('\n');
    std::string_view line = csv.substr(0, newline);
    csv.remove_prefix(newline == std::string_view::npos ? csv.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (header || line.empty()) {
      header = false;
      continue;
    }
    std::string_view name = next_field(line);
    const std::string_view tdp_text = next_field(line);
    double watts = 0;
    const auto [end, error] =
        std::from_chars(tdp_text.data(), tdp_text.data() + tdp_text.size(), watts);
    // The table is compiled in; a malformed row is skipped, not fatal.
    if (error != std::errc() || watts <= 0) continue;
    table.push_back({std::string(name), watts});
  }
  return table;
}

const CpuNameIndex& name_index() {
  static const CpuNameIndex index = [] {
    std::vector<std::string_view> names;
    for (const auto& entry : cpu_tdp_table()) names.push_back(entry.name);
    return CpuNameIndex(std::move(names));
  }();
  return index;
}

}  // namespace

const std::vector<TdpEntry>& cpu_tdp_table() {
  static const std::vector<TdpEntry> entries = parse_table();
  return entries;
}

std::optional<TdpEntry> match_cpu_tdp(std::string_view cpu_model) {
  auto index = name_index().match(cpu_model);
  if (!index) return std::nullopt;
  return cpu_tdp_table()[*index];
}

}  // namespace greentune::energy
