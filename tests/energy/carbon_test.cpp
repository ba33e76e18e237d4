#include "greentune/energy/carbon.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "greentune/common/error.hpp"

namespace greentune::energy {
namespace {

TEST(Carbon, DefaultsAreWorldAverageIntensityAndNoFacilityOverhead) {
  CarbonSettings defaults;
  EXPECT_DOUBLE_EQ(defaults.grams_per_kwh, 475.0);
  EXPECT_DOUBLE_EQ(defaults.pue, 1.0);
  // 7.2 MJ = 2 kWh; 2 kWh x 475 g/kWh = 950 g.
  CarbonFigures f = carbon_for(7.2e6, defaults);
  EXPECT_DOUBLE_EQ(f.kwh, 2.0);
  EXPECT_DOUBLE_EQ(f.facility_kwh, 2.0);
  EXPECT_DOUBLE_EQ(f.grams_co2e, 950.0);
}

TEST(Carbon, PueScalesFacilityEnergyAndEmissions) {
  // 900 kJ = 0.25 kWh; x PUE 1.58 = 0.395 kWh; x 56 g/kWh (France-like grid) = 22.12 g.
  CarbonFigures f = carbon_for(900e3, CarbonSettings{56.0, 1.58});
  EXPECT_DOUBLE_EQ(f.kwh, 0.25);
  EXPECT_NEAR(f.facility_kwh, 0.395, 1e-12);
  EXPECT_NEAR(f.grams_co2e, 22.12, 1e-9);
  EXPECT_DOUBLE_EQ(f.grams_per_kwh, 56.0);
  EXPECT_DOUBLE_EQ(f.pue, 1.58);
}

TEST(Carbon, ZeroJoulesIsZeroGrams) {
  EXPECT_DOUBLE_EQ(carbon_for(0, {}).grams_co2e, 0.0);
}

TEST(Carbon, RejectsImpossibleSettings) {
  EXPECT_THROW(carbon_for(1, CarbonSettings{-1.0, 1.0}), InputError);
  EXPECT_THROW(carbon_for(1, CarbonSettings{475.0, 0.9}), InputError);
  EXPECT_THROW(carbon_for(1, CarbonSettings{475.0, std::nan("")}), InputError);
}

}  // namespace
}  // namespace greentune::energy
