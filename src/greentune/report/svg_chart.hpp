#pragma once
// Charts drawn by greentune itself as SVG, ready to inline in an HTML page: no gnuplot, no
// scripts, no external references. Each chart scales to the width of its container (viewBox,
// width 100 %), keeps every font at 13 viewBox units or more (13 px and up wherever the chart is
// drawn at least 1000 px wide, 12 px down to 924 px), puts its legend inside the plot area where it
// hides the fewest marks, and takes every arm's colour from the one Palette the caller passes, so
// a strategy has one colour in all charts of a page. All text is XML-escaped. The output depends
// only on the input: equal charts are equal byte for byte.
//
// Structure, for tests and styling: the root <svg class="greentune-chart" data-kind="xy|bar|box">
// holds <title> and <desc> (referenced by aria-labelledby), a <rect class="plot-area">, one
// <g class="series" data-arm="..." data-colour="#rrggbb"> per series, bar group or box, and
// <g class="legend"> with a <rect class="legend-box">.
#include <string>
#include <string_view>

#include "greentune/report/chart_palette.hpp"
#include "greentune/report/charts.hpp"

namespace greentune::report {

// `id_prefix` makes the chart's element ids unique in the page (letters, digits, '-', '_';
// anything else is replaced).
std::string render_svg(const XYChart& chart, Palette& palette, std::string_view id_prefix);
std::string render_svg(const BarChart& chart, Palette& palette, std::string_view id_prefix);
std::string render_svg(const BoxChart& chart, Palette& palette, std::string_view id_prefix);

constexpr double kSmallestFont = 13;  // viewBox units; the smallest text any chart writes

}  // namespace greentune::report
