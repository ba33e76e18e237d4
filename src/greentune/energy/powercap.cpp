#include "greentune/energy/powercap.hpp"

namespace greentune::energy {

std::unique_ptr<Source> open_powercap(const SystemPaths&, ProbeResult& result) {
  result.source = "powercap";
  result.usable = false;
  result.reason = "not implemented yet";
  return nullptr;
}

}  // namespace greentune::energy
