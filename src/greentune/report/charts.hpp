#pragma once
// What a chart shows, independent of how it is drawn: the report fills these and svg_chart.hpp
// draws them. Four kinds cover the report: x-y charts (lines, steps, points, bands), bars with
// error bars, and box plots with every observation drawn as a strip. Names and labels are plain
// text (they may come from untrusted configs); the writer escapes them.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace greentune::report {

enum class AxisScale { linear, log };

struct Axis {
  std::string label{};  // what is measured, e.g. "energy per trial, measured"
  // "J" gets engineering prefixes (mJ, J, kJ, MJ, GJ), shown in the axis title on a linear axis
  // and on each tick on a log axis; any other unit is shown as given; "" for counts and ratios.
  std::string unit{};
  AxisScale scale = AxisScale::linear;
  bool integer = false;                // counts such as rounds: ticks only on whole numbers
  std::optional<double> min{}, max{};  // fixed ends; otherwise from the data, widened to ticks
  bool include_zero = false;           // linear only: the range reaches 0 (bars always do)
};

// How a series is coloured. Data series take their arm's colour from the Palette; the highlight
// (a Pareto front, a chosen configuration) is black and drawn on top; reference figures (the
// paper's) are grey.
enum class SeriesRole { data, highlight, reference };

enum class Mark {
  line,    // straight segments
  step,    // horizontal then vertical (best so far, Pareto front): value holds until the next x
  points,  // markers only
  line_points,  // segments and markers
  ring,         // a large open circle around each point (a chosen configuration)
};

struct XY {
  double x = 0, y = 0;
};

struct Band {
  double low = NAN, high = NAN;  // at the x of the point with the same index
};

struct XYSeries {
  std::string name{};  // legend text
  std::string arm{};   // colour key; the name when empty
  std::vector<XY> points{};
  Mark mark = Mark::line_points;
  SeriesRole role = SeriesRole::data;
  std::vector<Band> band{};  // empty, or one per point: a shaded range (e.g. over seeds)
};

struct XYChart {
  std::string title{};
  std::string description{};  // for screen readers (<desc>); a summary is generated when empty
  Axis x{}, y{};
  std::vector<XYSeries> series{};
  int width = 1000, height = 440;  // viewBox units; the SVG scales to the page width
};

struct ErrorBar {
  double low = NAN, high = NAN;  // NaN: no bar (e.g. a single observation)
};

struct BarGroup {
  std::string name{};              // legend text
  std::string arm{};               // colour key; the name when empty
  std::vector<double> values{};    // one per category; NaN draws "n/a"
  std::vector<ErrorBar> errors{};  // empty, or one per category
  SeriesRole role = SeriesRole::data;
};

struct BarChart {
  std::string title{};
  std::string description{};
  std::vector<std::string> categories{};  // along the x axis
  Axis y{};
  std::vector<BarGroup> groups{};  // side by side per category, or stacked
  bool stacked = false;            // stacked bars carry no error bars
  // The categories are the arms (strategies, sweep cells): data bars take the category's colour,
  // so a strategy has the same colour here as in the line charts.
  bool colour_by_category = false;
  int width = 1000, height = 440;
};

struct BoxGroup {
  std::string name{};  // x axis label
  std::string arm{};   // colour key; the name when empty
  std::vector<double> values{};
};

// Box (quartiles, Tukey whiskers at 1.5 IQR) with every observation drawn beside it as a strip.
struct BoxChart {
  std::string title{};
  std::string description{};
  Axis y{};
  std::vector<BoxGroup> groups{};
  int width = 1000, height = 440;
};

}  // namespace greentune::report
