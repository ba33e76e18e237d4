#include "greentune/energy/carbon.hpp"

#include <cmath>
#include <string>

#include "greentune/common/error.hpp"

namespace greentune::energy {

namespace {
constexpr double kJoulesPerKwh = 3.6e6;
}

CarbonFigures carbon_for(double joules, const CarbonSettings& settings) {
  if (!std::isfinite(settings.grams_per_kwh) || settings.grams_per_kwh < 0) {
    throw InputError("carbon intensity " + std::to_string(settings.grams_per_kwh) +
                     " g/kWh: expected a finite number >= 0");
  }
  // A PUE below 1 would mean the facility gives energy back; that is a typo, not a datacentre.
  if (!std::isfinite(settings.pue) || settings.pue < 1.0) {
    throw InputError("PUE " + std::to_string(settings.pue) + ": expected a number >= 1.0");
  }
  CarbonFigures figures;
  figures.kwh = joules / kJoulesPerKwh;
  figures.facility_kwh = figures.kwh * settings.pue;
  figures.grams_co2e = figures.facility_kwh * settings.grams_per_kwh;
  figures.grams_per_kwh = settings.grams_per_kwh;
  figures.pue = settings.pue;
  return figures;
}

}  // namespace greentune::energy
