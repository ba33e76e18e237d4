#include "greentune/energy/nvml.hpp"

namespace greentune::energy {

std::unique_ptr<Source> open_nvml(ProbeResult& result) {
  result.source = "nvml";
  result.usable = false;
  result.reason = "not implemented yet";
  return nullptr;
}

}  // namespace greentune::energy
