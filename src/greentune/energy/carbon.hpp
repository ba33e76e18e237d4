#pragma once
// Carbon and PUE on top of joules. Defaults are documented in docs/measuring-energy.md.
#include <string>

namespace greentune::energy {

struct CarbonSettings {
  double grams_per_kwh = 475.0;  // world average grid intensity (IEA 2019, as CodeCarbon uses)
  double pue = 1.0;              // facility overhead; 1.0 = the machine alone
};

struct CarbonFigures {
  double kwh = 0;           // IT energy
  double facility_kwh = 0;  // kwh x PUE
  double grams_co2e = 0;    // facility_kwh x intensity
  double grams_per_kwh = 0;
  double pue = 1.0;
};

CarbonFigures carbon_for(double joules, const CarbonSettings& settings);

}  // namespace greentune::energy
