#include "greentune/report/chart_palette.hpp"

#include <array>

namespace greentune::report {
namespace {

// Okabe & Ito (2008), "Color Universal Design", without black (kept for highlights). Yellow comes
// last: it is the hardest to see on white.
constexpr std::array<const char*, 7> kColours = {"#0072B2", "#D55E00", "#009E73", "#E69F00",
                                                 "#CC79A7", "#56B4E9", "#F0E442"};
constexpr std::array<const char*, 3> kDashes = {"", "8 4", "2 3"};

struct Preferred {
  const char* arm;
  size_t colour;
};
constexpr std::array<Preferred, 5> kStrategies = {
    {{"bayes", 0}, {"random", 1}, {"grid", 2}, {"sobol", 3}, {"halton", 4}}};

}  // namespace

const Swatch& Palette::swatch(std::string_view arm) {
  if (auto it = assigned_.find(arm); it != assigned_.end()) return it->second;
  // Fewest users first, so colours repeat only when all seven are taken; among equals a
  // strategy's own colour, else the earliest in the list.
  auto users = [this](size_t colour) {
    auto it = users_.find(kColours[colour]);
    return it == users_.end() ? size_t{0} : it->second;
  };
  size_t best = 0;
  for (size_t i = 1; i < kColours.size(); ++i)
    if (users(i) < users(best)) best = i;
  for (const auto& preferred : kStrategies)
    if (arm == preferred.arm && users(preferred.colour) == users(best)) best = preferred.colour;
  Swatch swatch{kColours[best], kDashes[users(best) % kDashes.size()]};
  ++users_[swatch.colour];
  return assigned_.emplace(std::string(arm), std::move(swatch)).first->second;
}

}  // namespace greentune::report
