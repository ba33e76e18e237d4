#include "greentune/energy/perf_power.hpp"

namespace greentune::energy {

std::unique_ptr<Source> open_perf_power(const SystemPaths&, ProbeResult& result) {
  result.source = "perf";
  result.usable = false;
  result.reason = "not implemented yet";
  return nullptr;
}

}  // namespace greentune::energy
