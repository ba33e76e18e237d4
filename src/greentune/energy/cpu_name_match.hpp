#pragma once
// Finding a CPU's entry in a table of CPU names (TDPs, thread counts) from the model name that
// /proc/cpuinfo gives, which carries vendor noise and often lacks or adds words.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greentune::energy {

// Lowercase words of a CPU name without the noise vendors add: "(R)", "(TM)", "CPU",
// "@ 3.40GHz", "8-Core Processor", "Processor". "Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz" ->
// "intel xeon e5-2620 v3".
std::string normalize_cpu_name(std::string_view name);

// A table's names. match() finds an exact match of the normalized names, else the most specific
// entry all of whose words (one of them with a digit: a model number) appear in the name, so
// "E3-1240 V2" finds "Intel Xeon E3-1240 v2" rather than "Intel Xeon E3-1240". A bare family
// ("AMD EPYC", what this project's VMs report) matches nothing. Ties: the first exact match in
// table order; among matches by words, the most words, then the longest name, then the first.
class CpuNameIndex {
 public:
  // `names` are views of a table that outlives the index (the compiled-in tables do).
  explicit CpuNameIndex(std::vector<std::string_view> names);
  // The index of the matching name, or nullopt. Normalizes only the names that hold one of the
  // model's words, so a lookup in the ~4900 names of the TDP table stays cheap enough for start-up.
  std::optional<size_t> match(std::string_view cpu_model) const;

 private:
  std::vector<std::string_view> names_;
};

}  // namespace greentune::energy
