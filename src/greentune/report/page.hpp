#pragma once
// The HTML page a report is written into, and the small pieces every section of it uses: tables,
// chart frames, number formats. A section (tuning, sweep, paper, ...) is a function that appends
// to a Page; see sections.hpp.
#include <optional>
#include <string>
#include <vector>

#include "greentune/report/chart_palette.hpp"
#include "greentune/report/charts.hpp"
#include "greentune/tune/space.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::report {

// Charts collect into the page in order; each gets a unique id prefix for its SVG ids, and all
// share one palette so an arm has one colour on the whole page. The parts of a stacked whole
// (layer types, phases and domains) are no arms: they take their colours from a palette of their
// own, so they do not use up the arms' colours.
class Page {
 public:
  std::string html;
  int charts = 0;
  Palette palette, parts_palette;

  // `caption` is plain text (escaped here).
  void chart(const std::string& name, const std::string& svg, const std::string& caption);
  std::string next_id();
  void xy(const std::string& name, const XYChart& spec, const std::string& caption);
  void bars(const std::string& name, const BarChart& spec, const std::string& caption);
  void boxes(const std::string& name, const BoxChart& spec, const std::string& caption);
  // A paragraph of plain text (escaped here) with an optional class ("note", "finding").
  void paragraph(const std::string& text, const std::string& css_class = "");
};

// Header and rows are plain text (escaped here).
std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows);

XYChart xy_chart(std::string title, Axis x, Axis y);
BarChart bar_chart(std::string title, Axis y, std::vector<std::string> categories,
                   bool stacked = false);
Axis rounds_axis();

// Joules with an engineering prefix (si_text: "149 J", "1.53 kJ"); "n/a" when not finite.
std::string joules_text(double joules);
// "0.8123"; "n/a" when missing or not finite.
std::string value_text(std::optional<double> value);
// Mean ± 95 % CI of joules, and of values, as mean_interval_text writes them.
std::string joules_interval_text(const std::vector<double>& joules);
std::string value_interval_text(const std::vector<double>& values);
// The interval as an error bar (no bar below two values).
ErrorBar interval_bar(const std::vector<double>& values);

// "measured", "estimated", "measured+estimated" or "none" over a set of trials.
std::string kind_of(const std::vector<tune::Trial>& trials);
// A parameter as a number: numbers as they are, on/off/true/false/yes/no as 1/0, numeric text
// parsed; NaN otherwise.
double param_number(const tune::ParamValue& value);
// "conv=2 linear=3 relu=1": the parameters without the sweep's repetition index.
std::string config_label(const tune::Params& params);

}  // namespace greentune::report
