#pragma once
// Charts drawn by gnuplot (a child process fed the script on stdin, SVG terminal), returned as SVG
// ready to inline in HTML: no XML prolog, no namespace URLs, element ids made unique per chart.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace greentune::report {

enum class SeriesStyle { lines, points, linespoints, steps, marker };  // marker: large, open

struct Series {
  std::string title;
  std::vector<std::pair<double, double>> xy;
  SeriesStyle style = SeriesStyle::linespoints;
};

struct XYChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool log_x = false;
  int width = 760, height = 380;
};

struct BarGroup {
  std::string title;           // legend entry
  std::vector<double> values;  // one per category
};

struct BarChart {
  std::string title, y_label;
  std::vector<std::string> categories;  // x axis
  std::vector<BarGroup> groups;
  bool stacked = false;  // false: bars side by side per category
  int width = 760, height = 380;
};

// The gnuplot program: $GREENTUNE_GNUPLOT, else /usr/bin/gnuplot, else `gnuplot` on PATH.
// IoError naming what was tried (and the package to install) when none exists.
std::filesystem::path find_gnuplot();

// Runs gnuplot on `script` (which must plot to the terminal set up here) and returns the SVG.
// IoError with gnuplot's stderr when it exits non-zero or writes no SVG.
std::string run_gnuplot_svg(const std::string& script, int width, int height,
                            const std::string& id_prefix);

std::string render(const XYChart& chart, const std::string& id_prefix);
std::string render(const BarChart& chart, const std::string& id_prefix);

// Text made safe inside a single-quoted gnuplot string shown with `noenhanced`.
std::string gnuplot_text(const std::string& text);

}  // namespace greentune::report
