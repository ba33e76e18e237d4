#include "greentune/measured/power_limited_objective.hpp"

#include <fmt/format.h>

#include <cmath>

#include "greentune/common/error.hpp"

namespace greentune::measured {

std::shared_ptr<energy::GpuPowerLimit> open_power_limit(const tune::SearchSpace& space,
                                                        const std::string& device,
                                                        const std::filesystem::path& journal,
                                                        const std::string& source) {
  const tune::ParamSpec* spec = space.find(kPowerLimitParameter);
  if (spec == nullptr) return nullptr;
  if (spec->type != tune::ParamType::integer)
    throw InputError(fmt::format("{}: space.{}: expected an integer parameter (watts)", source,
                                 kPowerLimitParameter));
  if (device != "cuda")
    throw InputError(
        fmt::format("{}: space.{}: the power limit is a GPU's, but the trials train on '{}'; set "
                    "train.device = \"cuda\"",
                    source, kPowerLimitParameter, device));
  std::shared_ptr<energy::GpuPowerLimit> limit = energy::GpuPowerLimit::open(0, journal);
  if (spec->low < limit->min_watts() || spec->high > limit->max_watts())
    throw InputError(fmt::format("{}: space.{}: {:g} to {:g} W, but the GPU takes {} to {} W",
                                 source, kPowerLimitParameter, spec->low, spec->high,
                                 limit->min_watts(), limit->max_watts()));
  return limit;
}

tune::Objective with_power_limit(tune::Objective inner,
                                 std::shared_ptr<energy::GpuPowerLimit> limit) {
  return
      [inner = std::move(inner), limit](const tune::Params& params, tune::TrialContext& context) {
        const double watts = tune::as_double(params, kPowerLimitParameter);
        limit->set(static_cast<int>(std::lround(watts)));
        struct PutBack {
          energy::GpuPowerLimit& limit;
          ~PutBack() {
            try {
              limit.restore();
            } catch (const std::exception&) {
              // The journal stays; the next start puts the limit back.
            }
          }
        } put_back{*limit};
        return inner(params, context);
      };
}

}  // namespace greentune::measured
