#include "greentune/report/page.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "greentune/report/html.hpp"
#include "greentune/report/study_data.hpp"
#include "greentune/report/svg_axis.hpp"
#include "greentune/report/svg_chart.hpp"
#include "greentune/report/uncertainty.hpp"

namespace greentune::report {

void Page::chart(const std::string& name, const std::string& svg, const std::string& caption) {
  html += fmt::format(
      "<figure class=\"chart\" data-chart=\"{}\">\n{}\n<figcaption>{}</figcaption>"
      "</figure>\n",
      html_escape(name), svg, html_escape(caption));
}

std::string Page::next_id() {
  return fmt::format("c{}_", ++charts);
}

void Page::xy(const std::string& name, const XYChart& spec, const std::string& caption) {
  chart(name, render_svg(spec, palette, next_id()), caption);
}

void Page::bars(const std::string& name, const BarChart& spec, const std::string& caption) {
  chart(name, render_svg(spec, spec.stacked ? parts_palette : palette, next_id()), caption);
}

void Page::boxes(const std::string& name, const BoxChart& spec, const std::string& caption) {
  chart(name, render_svg(spec, palette, next_id()), caption);
}

void Page::paragraph(const std::string& text, const std::string& css_class) {
  html += (css_class.empty() ? std::string("<p>")
                             : fmt::format("<p class=\"{}\">", html_escape(css_class))) +
          html_escape(text) + "</p>\n";
}

std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table>\n<tr>";
  for (const auto& h : header) out += "<th>" + html_escape(h) + "</th>";
  out += "</tr>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + html_escape(cell) + "</td>";
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

XYChart xy_chart(std::string title, Axis x, Axis y) {
  XYChart chart;
  chart.title = std::move(title);
  chart.x = std::move(x);
  chart.y = std::move(y);
  return chart;
}

BarChart bar_chart(std::string title, Axis y, std::vector<std::string> categories, bool stacked) {
  BarChart chart;
  chart.title = std::move(title);
  chart.y = std::move(y);
  chart.categories = std::move(categories);
  chart.stacked = stacked;
  return chart;
}

Axis rounds_axis() {
  Axis axis{"round", ""};
  axis.integer = true;
  return axis;
}

std::string joules_text(double joules) {
  return std::isfinite(joules) ? si_text(joules, "J") : "n/a";
}

std::string value_text(std::optional<double> value) {
  return value && std::isfinite(*value) ? fmt::format("{:.4f}", *value) : "n/a";
}

std::string joules_interval_text(const std::vector<double>& joules) {
  return mean_interval_text(mean_interval(joules), [](double j) { return joules_text(j); });
}

std::string value_interval_text(const std::vector<double>& values) {
  return mean_interval_text(mean_interval(values),
                            [](double v) { return fmt::format("{:.4f}", v); });
}

ErrorBar interval_bar(const std::vector<double>& values) {
  auto interval = mean_interval(values);
  if (!interval.has_interval()) return {};
  return {interval.low(), interval.high()};
}

std::string kind_of(const std::vector<tune::Trial>& trials) {
  std::set<std::string> kinds;
  for (const auto& trial : trials)
    if (auto kind = energy_kind(trial); kind != "none") kinds.insert(kind);
  if (kinds.empty()) return "none";
  if (kinds.size() > 1 || kinds.count("mixed")) return "measured+estimated";
  return *kinds.begin();
}

double param_number(const tune::ParamValue& value) {
  if (auto d = std::get_if<double>(&value)) return *d;
  if (auto i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  const auto& text = std::get<std::string>(value);
  if (text == "on" || text == "true" || text == "yes") return 1;
  if (text == "off" || text == "false" || text == "no") return 0;
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return NAN;
  }
}

std::string config_label(const tune::Params& params) {
  std::string label;
  for (const auto& [name, value] : params) {
    if (name == "rep") continue;
    label += (label.empty() ? "" : " ") + name + "=" + tune::to_string(value);
  }
  return label;
}

}  // namespace greentune::report
