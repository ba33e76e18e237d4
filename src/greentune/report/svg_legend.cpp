#include "greentune/report/svg_legend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "greentune/report/svg_text.hpp"

namespace greentune::report {
namespace {

constexpr double kPadding = 8;
constexpr double kRow = 21;
constexpr double kSwatchWidth = 30;
constexpr double kGap = 8;
constexpr double kColumnGap = 18;

double entry_width(const LegendEntry& entry) {
  return kSwatchWidth + kGap + text_width(entry.label, kLegendFont);
}

std::string swatch_svg(const LegendEntry& entry, double x, double y) {
  // (x, y): the swatch's left end on the row's middle line.
  const std::string colour = xml_escape(entry.colour);
  const std::string dash =
      entry.dash.empty() ? "" : " stroke-dasharray=\"" + xml_escape(entry.dash) + "\"";
  auto n = svg_number;
  switch (entry.mark) {
    case LegendMark::line:
      return fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"3\"{}/>",
          n(x), n(y), n(x + kSwatchWidth), n(y), colour, dash);
    case LegendMark::step:
      return fmt::format(
          "<path d=\"M{} {}H{}V{}H{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"3\"{}/>", n(x),
          n(y + 5), n(x + kSwatchWidth / 2), n(y - 5), n(x + kSwatchWidth), colour, dash);
    case LegendMark::points:
      return fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{}\"/>",
                         n(x + kSwatchWidth / 2), n(y), colour);
    case LegendMark::line_points:
      return fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"3\"{}/>"
          "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"/>",
          n(x), n(y), n(x + kSwatchWidth), n(y), colour, dash, n(x + kSwatchWidth / 2), n(y),
          colour);
    case LegendMark::ring:
      return fmt::format(
          "<circle cx=\"{}\" cy=\"{}\" r=\"7\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"/>",
          n(x + kSwatchWidth / 2), n(y), colour);
    case LegendMark::band:
      return fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" fill=\"{}\" fill-opacity=\"0.2\"/>"
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"3\"{}/>",
          n(x), n(y - 6), n(kSwatchWidth), colour, n(x), n(y), n(x + kSwatchWidth), n(y), colour,
          dash);
    case LegendMark::bar:
      return fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" fill=\"{}\"/>", n(x),
                         n(y - 6), n(kSwatchWidth), colour);
    case LegendMark::categories: {
      std::string out;
      double stripe = kSwatchWidth / static_cast<double>(std::max<size_t>(1, entry.colours.size()));
      for (size_t i = 0; i < entry.colours.size(); ++i)
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" fill=\"{}\"/>",
                           n(x + stripe * static_cast<double>(i)), n(y - 6), n(stripe),
                           xml_escape(entry.colours[i]));
      return out;
    }
  }
  return "";
}

}  // namespace

LegendPlacement place_legend(const Box& plot, double width, double height,
                             const std::vector<Pixel>& marks, double inset) {
  const double left = plot.x + inset, right = plot.right() - inset - width;
  const double top = plot.y + inset, bottom = plot.bottom() - inset - height;
  const double centre_x = plot.x + (plot.width - width) / 2;
  const double middle_y = plot.y + (plot.height - height) / 2;
  const std::array<Pixel, 8> corners = {{{right, top},
                                         {left, top},
                                         {right, bottom},
                                         {left, bottom},
                                         {centre_x, top},
                                         {centre_x, bottom},
                                         {right, middle_y},
                                         {left, middle_y}}};
  LegendPlacement best;
  bool first = true;
  for (const auto& corner : corners) {
    // A legend larger than the plot still starts inside it, at the top left.
    Box box{std::max(plot.x, corner.x), std::max(plot.y, corner.y), width, height};
    // Marks within a few units of the frame count too: a point touching the legend is hidden.
    Box halo{box.x - 3, box.y - 3, box.width + 6, box.height + 6};
    size_t hidden = static_cast<size_t>(std::count_if(
        marks.begin(), marks.end(), [&](const Pixel& p) { return halo.contains(p.x, p.y); }));
    if (first || hidden < best.hidden) best = {box, hidden};
    first = false;
  }
  return best;
}

void sample_segment(Pixel a, Pixel b, double spacing, std::vector<Pixel>& out) {
  double length = std::hypot(b.x - a.x, b.y - a.y);
  int steps = std::max(1, static_cast<int>(std::ceil(length / spacing)));
  for (int i = 0; i <= steps; ++i) {
    double t = static_cast<double>(i) / steps;
    out.push_back({a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)});
  }
}

void sample_box(const Box& box, double spacing, std::vector<Pixel>& out) {
  for (double y = box.y; y <= box.bottom() + 1e-9; y += spacing)
    for (double x = box.x; x <= box.right() + 1e-9; x += spacing) out.push_back({x, y});
}

LegendLayout legend_layout(const std::vector<LegendEntry>& entries, double max_width) {
  LegendLayout layout;
  if (entries.empty()) return layout;
  double widest = 0;
  for (const auto& entry : entries) widest = std::max(widest, entry_width(entry));
  // Long legends spread over columns while they fit, so they stay short enough to tuck in.
  layout.columns = entries.size() > 10 ? 3 : entries.size() > 5 ? 2 : 1;
  while (layout.columns > 1 &&
         layout.columns * widest + (layout.columns - 1) * kColumnGap + 2 * kPadding > max_width)
    --layout.columns;
  size_t rows = (entries.size() + layout.columns - 1) / layout.columns;
  layout.width = static_cast<double>(layout.columns) * widest +
                 static_cast<double>(layout.columns - 1) * kColumnGap + 2 * kPadding;
  layout.height = static_cast<double>(rows) * kRow + 10;
  return layout;
}

std::string legend_svg(const std::vector<LegendEntry>& entries, const LegendLayout& layout,
                       const Box& box) {
  if (entries.empty()) return "";
  auto n = svg_number;
  std::string out = fmt::format(
      "<g class=\"legend\"><rect class=\"legend-box\" x=\"{}\" y=\"{}\" width=\"{}\" "
      "height=\"{}\" fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"#b0b0b0\" rx=\"3\"/>",
      n(box.x), n(box.y), n(box.width), n(box.height));
  size_t rows = (entries.size() + layout.columns - 1) / layout.columns;
  double column_width =
      (box.width - 2 * kPadding - static_cast<double>(layout.columns - 1) * kColumnGap) /
      static_cast<double>(layout.columns);
  for (size_t i = 0; i < entries.size(); ++i) {
    size_t column = i / rows, row = i % rows;
    double x = box.x + kPadding + static_cast<double>(column) * (column_width + kColumnGap);
    double y = box.y + 15.5 + static_cast<double>(row) * kRow;  // the row's middle line
    out += swatch_svg(entries[i], x, y);
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" dominant-baseline=\"central\">{}</text>",
        n(x + kSwatchWidth + kGap), n(y), n(kLegendFont), xml_escape(entries[i].label));
  }
  return out + "</g>";
}

}  // namespace greentune::report
