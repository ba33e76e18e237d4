#pragma once
#include <string>

namespace greentune {

// "42s", "3m05s", "2h10m"; "?" for a negative (unknown) duration. For progress lines and ETAs.
std::string duration_text(double seconds);

}  // namespace greentune
