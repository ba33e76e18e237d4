#include "greentune/energy/cpu_threads.hpp"

#include <utility>

#include "greentune/energy/cpu_name_match.hpp"

namespace greentune::energy {

const std::vector<KnownCpuThreads>& known_cpu_thread_table() {
  // Cores per package x threads per core, from the vendors' product specifications (Intel ARK,
  // AMD's EPYC and Ryzen product pages). Parts made for one cloud provider (Xeon 8124M, 8151,
  // 8171M, 8175M, 8259CL, 8272CL, 8275CL, 8370C, 8375C, 8488C, E5-2666 v3, E5-2673, E5-2676 v3,
  // E5-2686 v4; EPYC 7571, 7B12, 7B13, 7R13, 7R32, 7V12, 7V13, 9R14) are not on those pages; their
  // cores per socket are as the providers' instance-type documentation states them (AWS, Azure,
  // Google Cloud). Every part here runs two threads per core. Add a part with its source.
  static const std::vector<KnownCpuThreads> table = {
      // Intel Xeon Scalable
      {"Intel Xeon Platinum 8124M", 36},
      {"Intel Xeon Platinum 8151", 24},
      {"Intel Xeon Platinum 8160", 48},
      {"Intel Xeon Platinum 8168", 48},
      {"Intel Xeon Platinum 8171M", 52},
      {"Intel Xeon Platinum 8175M", 48},
      {"Intel Xeon Platinum 8180", 56},
      {"Intel Xeon Platinum 8259CL", 48},
      {"Intel Xeon Platinum 8268", 48},
      {"Intel Xeon Platinum 8272CL", 52},
      {"Intel Xeon Platinum 8275CL", 48},
      {"Intel Xeon Platinum 8280", 56},
      {"Intel Xeon Platinum 8358", 64},
      {"Intel Xeon Platinum 8370C", 64},
      {"Intel Xeon Platinum 8375C", 64},
      {"Intel Xeon Platinum 8380", 80},
      {"Intel Xeon Platinum 8480+", 112},
      {"Intel Xeon Platinum 8488C", 96},
      {"Intel Xeon Gold 5118", 24},
      {"Intel Xeon Gold 6130", 32},
      {"Intel Xeon Gold 6148", 40},
      {"Intel Xeon Gold 6154", 36},
      {"Intel Xeon Gold 6226R", 32},
      {"Intel Xeon Gold 6230", 40},
      {"Intel Xeon Gold 6248", 40},
      {"Intel Xeon Gold 6248R", 48},
      {"Intel Xeon Gold 6254", 36},
      {"Intel Xeon Gold 6338", 64},
      {"Intel Xeon Gold 6342", 48},
      {"Intel Xeon Gold 6348", 56},
      // Intel Xeon E5/E3 (the load-profile CPUs among them)
      {"Intel Xeon E5-2620 v3", 12},
      {"Intel Xeon E5-2666 v3", 20},
      {"Intel Xeon E5-2673 v2", 16},
      {"Intel Xeon E5-2673 v3", 24},
      {"Intel Xeon E5-2673 v4", 40},
      {"Intel Xeon E5-2676 v3", 24},
      {"Intel Xeon E5-2686 v4", 36},
      {"Intel Xeon E5-2699 v4", 44},
      {"Intel Xeon E3-1240 v2", 8},
      // AMD EPYC
      {"AMD EPYC 7281", 32},
      {"AMD EPYC 7302", 32},
      {"AMD EPYC 7313", 32},
      {"AMD EPYC 7402", 48},
      {"AMD EPYC 7443", 48},
      {"AMD EPYC 7452", 64},
      {"AMD EPYC 7513", 64},
      {"AMD EPYC 7543", 64},
      {"AMD EPYC 7551", 64},
      {"AMD EPYC 7571", 64},
      {"AMD EPYC 7601", 64},
      {"AMD EPYC 7702", 128},
      {"AMD EPYC 7742", 128},
      {"AMD EPYC 7763", 128},
      {"AMD EPYC 7B12", 128},
      {"AMD EPYC 7B13", 128},
      {"AMD EPYC 7R13", 96},
      {"AMD EPYC 7R32", 96},
      {"AMD EPYC 7V12", 128},
      {"AMD EPYC 7V13", 128},
      {"AMD EPYC 8024P", 16},
      {"AMD EPYC 9354", 64},
      {"AMD EPYC 9454", 96},
      {"AMD EPYC 9554", 128},
      {"AMD EPYC 9654", 192},
      {"AMD EPYC 9R14", 192},
      {"AMD Ryzen Threadripper 1950X", 32},
  };
  return table;
}

std::optional<KnownCpuThreads> match_cpu_threads(std::string_view cpu_model) {
  static const CpuNameIndex index = [] {
    std::vector<std::string_view> names;
    for (const auto& part : known_cpu_thread_table()) names.push_back(part.name);
    return CpuNameIndex(std::move(names));
  }();
  auto found = index.match(cpu_model);
  if (!found) return std::nullopt;
  return known_cpu_thread_table()[*found];
}

}  // namespace greentune::energy
