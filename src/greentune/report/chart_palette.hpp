#pragma once
// One colour per arm (strategy, sweep cell) for every chart of a report, from the Okabe-Ito
// palette, which stays distinguishable with the common colour-vision deficiencies.
#include <map>
#include <string>
#include <string_view>

namespace greentune::report {

struct Swatch {
  std::string colour;  // "#rrggbb"
  std::string dash;    // SVG stroke-dasharray; empty for solid. Set once the colours run out.
};

// The colours of what is not an arm.
inline constexpr const char* kHighlightColour = "#000000";  // Pareto front, chosen configuration
inline constexpr const char* kReferenceColour = "#8c8c8c";  // the paper's figures

class Palette {
 public:
  // The strategies greentune runs have fixed colours (bayes blue, random vermillion, grid green,
  // sobol orange, halton purple) when still free; every other arm takes the first free colour in
  // order of first use. After seven arms the colours repeat with a dash pattern. Asking again for
  // an arm returns the same swatch, so one Palette per report keeps colours consistent.
  const Swatch& swatch(std::string_view arm);
  const std::string& colour(std::string_view arm) { return swatch(arm).colour; }
  size_t size() const { return assigned_.size(); }

 private:
  std::map<std::string, Swatch, std::less<>> assigned_;
  std::map<std::string, size_t, std::less<>> users_;  // colour -> arms using it
};

}  // namespace greentune::report
