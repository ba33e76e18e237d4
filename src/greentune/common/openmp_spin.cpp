#include "greentune/common/openmp_spin.hpp"

#include <cstdlib>

namespace greentune {

bool set_short_openmp_spin() {
  if (std::getenv("GOMP_SPINCOUNT") != nullptr || std::getenv("OMP_WAIT_POLICY") != nullptr)
    return false;
  return ::setenv("GOMP_SPINCOUNT", kShortOpenmpSpinCount, 1) == 0;
}

}  // namespace greentune
