#include "greentune/energy/msr.hpp"

namespace greentune::energy {

std::unique_ptr<Source> open_msr(const SystemPaths&, ProbeResult& result) {
  result.source = "msr";
  result.usable = false;
  result.reason = "not implemented yet";
  return nullptr;
}

}  // namespace greentune::energy
