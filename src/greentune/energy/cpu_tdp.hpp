#pragma once
// The TDP of a CPU from its /proc/cpuinfo model name, looked up in CodeCarbon's table
// (resources/cpu_power.csv, compiled in). Used by the estimate when no energy counter exists.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greentune/energy/cpu_name_match.hpp"

namespace greentune::energy {

struct TdpEntry {
  std::string name;  // as the table writes it, e.g. "Intel Xeon E5-2620 v3"
  double watts = 0;  // package TDP
};

// The whole table, parsed once.
const std::vector<TdpEntry>& cpu_tdp_table();

// The table entry for a model name: an exact match of the normalized names, else the most specific
// entry all of whose words (one of them with a digit: a model number) appear in the name, so
// "E3-1240 V2" finds "Intel Xeon E3-1240 v2" rather than "Intel Xeon E3-1240". nullopt when none
// does (this project's VMs report only "AMD EPYC", which names no model).
std::optional<TdpEntry> match_cpu_tdp(std::string_view cpu_model);

}  // namespace greentune::energy
