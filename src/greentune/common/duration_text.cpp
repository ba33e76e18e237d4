#include "greentune/common/duration_text.hpp"

#include <fmt/format.h>

namespace greentune {

std::string duration_text(double seconds) {
  if (!(seconds >= 0)) return "?";
  auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

}  // namespace greentune
