#pragma once
// The legend goes inside the plot area, where it hides the fewest of the marks the data drew.
#include <string>
#include <vector>

namespace greentune::report {

struct Box {
  double x = 0, y = 0, width = 0, height = 0;
  double right() const { return x + width; }
  double bottom() const { return y + height; }
  bool contains(double px, double py) const {
    return px >= x && px <= right() && py >= y && py <= bottom();
  }
  bool contains(const Box& other) const {
    return other.x >= x && other.y >= y && other.right() <= right() && other.bottom() <= bottom();
  }
};

struct Pixel {
  double x = 0, y = 0;
};

struct LegendPlacement {
  Box box;
  size_t hidden = 0;  // marks under the legend
};

// A `width` x `height` legend inside `plot`, `inset` from its edges: of the positions top right,
// top left, bottom right, bottom left, top centre, bottom centre, middle right and middle left
// (preferred in that order on ties), the one covering the fewest `marks`.
LegendPlacement place_legend(const Box& plot, double width, double height,
                             const std::vector<Pixel>& marks, double inset = 8);

// Points every `spacing` units along the segment from a to b, both ends included: how a line's
// ink is counted.
void sample_segment(Pixel a, Pixel b, double spacing, std::vector<Pixel>& out);
// Points on a grid of `spacing` over a box: how a bar's ink is counted.
void sample_box(const Box& box, double spacing, std::vector<Pixel>& out);

enum class LegendMark { line, step, points, line_points, ring, band, bar, categories };

struct LegendEntry {
  std::string label;
  LegendMark mark = LegendMark::line;
  std::string colour;
  std::string dash;                  // stroke-dasharray for lines
  std::vector<std::string> colours;  // LegendMark::categories: the category colours, striped
};

struct LegendLayout {
  double width = 0, height = 0;
  size_t columns = 1;
};

constexpr double kLegendFont = 14;

LegendLayout legend_layout(const std::vector<LegendEntry>& entries, double max_width);

// The legend's SVG at `box` (from place_legend), class "legend", with a class "legend-box" frame.
std::string legend_svg(const std::vector<LegendEntry>& entries, const LegendLayout& layout,
                       const Box& box);

}  // namespace greentune::report
