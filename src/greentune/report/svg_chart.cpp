#include "greentune/report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "greentune/report/svg_axis.hpp"
#include "greentune/report/svg_legend.hpp"
#include "greentune/report/svg_text.hpp"
#include "greentune/report/uncertainty.hpp"

namespace greentune::report {
namespace {

constexpr double kTitleFont = 18;
constexpr double kAxisFont = 15;
constexpr double kTickFont = 14;
constexpr double kTitleLine = 23;
constexpr double kAxisLine = 19;
constexpr double kTickLength = 5;
constexpr const char* kTextColour = "#222222";
constexpr const char* kAxisColour = "#555555";
constexpr const char* kGridColour = "#e4e4e4";
constexpr double kInk = 6;  // spacing of the samples that count a line's ink for the legend

auto n = svg_number;

std::string colour_of(SeriesRole role, const std::string& arm, Palette& palette) {
  if (role == SeriesRole::highlight) return kHighlightColour;
  if (role == SeriesRole::reference) return kReferenceColour;
  return palette.colour(arm);
}

std::string dash_of(SeriesRole role, const std::string& arm, Palette& palette) {
  if (role == SeriesRole::reference) return "6 4";
  if (role == SeriesRole::highlight) return "";
  return palette.swatch(arm).dash;
}

const std::string& arm_of(const std::string& arm, const std::string& name) {
  return arm.empty() ? name : arm;
}

// Words onto lines no wider than `width`; a single long word stays whole.
std::vector<std::string> wrap(const std::string& text, double font, double width) {
  std::vector<std::string> lines;
  std::string line;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(' ', at);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(at, end - at);
    at = end + 1;
    std::string candidate = line.empty() ? word : line + " " + word;
    if (!line.empty() && text_width(candidate, font) > width) {
      lines.push_back(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

// Long category names are cut for the axis; the full name stays in a tooltip.
std::string shorten(const std::string& text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  size_t cut = max_chars - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return text.substr(0, cut) + "\xE2\x80\xA6";  // U+2026 HORIZONTAL ELLIPSIS
}

std::string value_text(const Axis& axis, double value) {
  if (axis.unit == "J") return si_text(value, "J", 4);
  std::string text = fmt::format("{:.4g}", value);
  return axis.unit.empty() ? text : text + " " + axis.unit;
}

struct Scale {
  double low = 0, high = 1;  // data
  double from = 0, to = 1;   // viewBox
  bool log = false;
  double operator()(double v) const {
    double a = log ? std::log10(low) : low, b = log ? std::log10(high) : high;
    double t = ((log ? std::log10(v) : v) - a) / (b - a);
    return from + t * (to - from);
  }
  bool drawable(double v) const { return std::isfinite(v) && (!log || v > 0); }
};

Scale make_scale(const Ticks& ticks, const Axis& axis, double from, double to) {
  return {ticks.low, ticks.high, from, to, axis.scale == AxisScale::log};
}

// The chart's outer parts: the <svg> element, its accessible name and description, background,
// title. Everything else is drawn between open() and close().
struct Frame {
  std::string id;
  double width, height;
  std::vector<std::string> title_lines;

  Frame(std::string_view prefix, int w, int h, const std::string& title)
      : id(svg_id(prefix)), width(std::max(w, 320)), height(std::max(h, 200)) {
    if (!title.empty()) title_lines = wrap(title, kTitleFont, width - 40);
  }
  double top() const { return 14 + static_cast<double>(title_lines.size()) * kTitleLine; }

  std::string open(const char* kind, const std::string& title,
                   const std::string& description) const {
    std::string out = fmt::format(
        "<svg class=\"greentune-chart\" data-kind=\"{}\" viewBox=\"0 0 {} {}\" width=\"100%\" "
        "preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-labelledby=\"{}title {}desc\" "
        "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        "<title id=\"{}title\">{}</title>\n<desc id=\"{}desc\">{}</desc>\n"
        "<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
        kind, n(width), n(height), id, id, id, xml_escape(title), id, xml_escape(description),
        n(width), n(height));
    for (size_t i = 0; i < title_lines.size(); ++i)
      out += fmt::format(
          "<text class=\"chart-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" "
          "font-weight=\"bold\" fill=\"{}\">{}</text>\n",
          n(width / 2), n(10 + kTitleFont + static_cast<double>(i) * kTitleLine), n(kTitleFont),
          kTextColour, xml_escape(title_lines[i]));
    return out;
  }
  static std::string close() { return "</svg>"; }
};

std::string plot_area(const Box& plot, const std::string& id) {
  return fmt::format(
      "<rect class=\"plot-area\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\"/>\n"
      "<clipPath id=\"{}clip\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>\n",
      n(plot.x), n(plot.y), n(plot.width), n(plot.height), id, n(plot.x - 6), n(plot.y - 6),
      n(plot.width + 12), n(plot.height + 12));
}

// The y axis title runs along the plot's height: longer titles take a second line, and what does
// not fit in two is cut.
std::vector<std::string> y_title_lines(const std::string& title, double length) {
  auto lines = wrap(title, kAxisFont, length);
  if (lines.size() > 2) {
    lines.resize(2);
    lines[1] += "\xE2\x80\xA6";
  }
  return lines;
}

// Horizontal grid, ticks and labels of the y axis, and its rotated title.
std::string y_axis_svg(const Box& plot, const Scale& scale, const Ticks& ticks,
                       const AxisText& text) {
  std::string out = "<g class=\"y-axis\">";
  for (size_t i = 0; i < ticks.values.size(); ++i) {
    double y = scale(ticks.values[i]);
    out += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>"
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"central\" "
        "font-size=\"{}\" fill=\"{}\">{}</text>",
        n(plot.x), n(y), n(plot.right()), n(y), kGridColour, n(plot.x - kTickLength), n(y),
        n(plot.x), n(y), kAxisColour, n(plot.x - kTickLength - 4), n(y), n(kTickFont), kTextColour,
        xml_escape(text.tick_labels[i]));
  }
  double middle = plot.y + plot.height / 2;
  auto lines = y_title_lines(text.title, plot.height);
  for (size_t i = 0; i < lines.size(); ++i) {
    double x = 22 + static_cast<double>(i) * kAxisLine;
    out += fmt::format(
        "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" "
        "font-size=\"{}\" fill=\"{}\" transform=\"rotate(-90 {} {})\">{}</text>",
        n(x), n(middle), n(kAxisFont), kTextColour, n(x), n(middle), xml_escape(lines[i]));
  }
  return out + "</g>\n";
}

std::string axis_lines(const Box& plot) {
  return fmt::format(
      "<path d=\"M{} {}V{}H{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\"/>\n", n(plot.x),
      n(plot.y), n(plot.bottom()), n(plot.right()), kAxisColour);
}

double widest(const std::vector<std::string>& labels, double font) {
  double w = 0;
  for (const auto& label : labels) w = std::max(w, text_width(label, font));
  return w;
}

// Left margin: y title, tick labels, tick.
// Left margin: the y title (one or two lines), tick labels, ticks.
double left_margin(const AxisText& y_text, double plot_height) {
  double title = static_cast<double>(y_title_lines(y_text.title, plot_height).size()) * kAxisLine;
  return 22 + title + widest(y_text.tick_labels, kTickFont) + 12;
}

std::string no_data(const Box& plot) {
  return fmt::format(
      "<text class=\"no-data\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" "
      "fill=\"{}\">no data</text>\n",
      n(plot.x + plot.width / 2), n(plot.y + plot.height / 2), n(kAxisFont), kAxisColour);
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    low = std::min(low, v);
    high = std::max(high, v);
  }
  bool empty() const { return low > high; }
};

// ---- x-y charts ------------------------------------------------------------------------------

LegendMark legend_mark(const XYSeries& series) {
  if (!series.band.empty()) return LegendMark::band;
  switch (series.mark) {
    case Mark::line:
      return LegendMark::line;
    case Mark::step:
      return LegendMark::step;
    case Mark::points:
      return LegendMark::points;
    case Mark::line_points:
      return LegendMark::line_points;
    case Mark::ring:
      return LegendMark::ring;
  }
  return LegendMark::line;
}

struct Drawn {
  std::string svg;
  size_t hidden = 0;
  double legend_height = 0, plot_height = 0;
};

std::string point_title(const XYChart& chart, const XYSeries& series, const XY& p) {
  return fmt::format("<title>{}: {} {}, {} {}</title>", xml_escape(series.name),
                     xml_escape(chart.x.label), xml_escape(value_text(chart.x, p.x)),
                     xml_escape(chart.y.label), xml_escape(value_text(chart.y, p.y)));
}

// The series' path: straight or stepped segments, broken where a point cannot be drawn.
std::string series_path(const XYSeries& series, const Scale& sx, const Scale& sy,
                        std::vector<Pixel>& ink) {
  std::string d;
  bool open = false;
  Pixel last{};
  for (const auto& p : series.points) {
    if (!sx.drawable(p.x) || !sy.drawable(p.y)) {
      open = false;
      continue;
    }
    Pixel px{sx(p.x), sy(p.y)};
    if (!open) {
      d += fmt::format("M{} {}", n(px.x), n(px.y));
    } else if (series.mark == Mark::step) {
      d += fmt::format("H{}V{}", n(px.x), n(px.y));
      sample_segment(last, {px.x, last.y}, kInk, ink);
      sample_segment({px.x, last.y}, px, kInk, ink);
    } else {
      d += fmt::format("L{} {}", n(px.x), n(px.y));
      sample_segment(last, px, kInk, ink);
    }
    if (!open) ink.push_back(px);
    open = true;
    last = px;
  }
  return d;
}

std::string band_svg(const XYSeries& series, const Scale& sx, const Scale& sy,
                     const std::string& colour) {
  std::string out;
  // One polygon per run of points whose band can be drawn.
  size_t i = 0;
  while (i < series.points.size()) {
    std::vector<size_t> run;
    for (; i < series.points.size() && i < series.band.size(); ++i) {
      const auto& b = series.band[i];
      if (!sx.drawable(series.points[i].x) || !sy.drawable(b.low) || !sy.drawable(b.high)) break;
      run.push_back(i);
    }
    ++i;
    if (run.size() < 2) continue;
    std::string points;
    for (size_t k : run)
      points += fmt::format("{},{} ", n(sx(series.points[k].x)), n(sy(series.band[k].high)));
    for (auto it = run.rbegin(); it != run.rend(); ++it)
      points += fmt::format("{},{} ", n(sx(series.points[*it].x)), n(sy(series.band[*it].low)));
    points.pop_back();
    out += fmt::format("<polygon class=\"band\" points=\"{}\" fill=\"{}\" fill-opacity=\"0.18\"/>",
                       points, colour);
  }
  return out;
}

Drawn draw_xy(const XYChart& chart, Palette& palette, std::string_view prefix, double headroom) {
  Frame frame(prefix, chart.width, chart.height, chart.title);
  const bool log_x = chart.x.scale == AxisScale::log, log_y = chart.y.scale == AxisScale::log;
  Range xr, yr;
  size_t drawable = 0;
  for (const auto& series : chart.series) {
    for (size_t i = 0; i < series.points.size(); ++i) {
      const auto& p = series.points[i];
      bool x_ok = std::isfinite(p.x) && (!log_x || p.x > 0);
      bool y_ok = std::isfinite(p.y) && (!log_y || p.y > 0);
      if (!x_ok || !y_ok) continue;
      ++drawable;
      xr.add(p.x);
      yr.add(p.y);
      if (i < series.band.size())
        for (double v : {series.band[i].low, series.band[i].high})
          if (std::isfinite(v) && (!log_y || v > 0)) yr.add(v);
    }
  }
  if (xr.empty()) xr = {0, 1};
  if (yr.empty()) yr = {0, 1};
  if (headroom > 0) {
    // Room above the data for the legend: the data keeps the lower (1 - headroom) of the plot.
    if (log_y) {
      double span = std::log10(yr.high) - std::log10(yr.low);
      if (span <= 0) span = 1;
      yr.high = std::pow(10.0, std::log10(yr.high) + span * headroom / (1 - headroom));
    } else {
      double span = yr.high - yr.low;
      if (span <= 0) span = std::max(1.0, std::fabs(yr.high));
      yr.high += span * headroom / (1 - headroom);
    }
  }
  Ticks xt = axis_ticks(chart.x, xr.low, xr.high);
  Ticks yt = axis_ticks(chart.y, yr.low, yr.high);
  AxisText x_text = axis_text(chart.x, xt), y_text = axis_text(chart.y, yt);

  double right = std::max(24.0, x_text.tick_labels.empty()
                                    ? 0.0
                                    : text_width(x_text.tick_labels.back(), kTickFont) / 2 + 6);
  Box plot;
  plot.y = frame.top() + 8;
  plot.height = frame.height - plot.y - (kTickLength + 8 + kTickFont + 14 + kAxisFont + 8);
  plot.x = left_margin(y_text, plot.height);
  plot.width = frame.width - plot.x - right;
  Scale sx = make_scale(xt, chart.x, plot.x, plot.right());
  Scale sy = make_scale(yt, chart.y, plot.bottom(), plot.y);

  std::string description = chart.description;
  if (description.empty()) {
    std::string names;
    for (const auto& s : chart.series) names += (names.empty() ? "" : ", ") + s.name;
    description = fmt::format("Chart of {} against {}; {} series: {}.", y_text.title, x_text.title,
                              chart.series.size(), names);
  }
  std::string out = frame.open("xy", chart.title, description);
  out += plot_area(plot, frame.id);
  out += y_axis_svg(plot, sy, yt, y_text);
  out += "<g class=\"x-axis\">";
  for (size_t i = 0; i < xt.values.size(); ++i) {
    double x = sx(xt.values[i]);
    out += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>"
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" fill=\"{}\">{}</text>",
        n(x), n(plot.y), n(x), n(plot.bottom()), kGridColour, n(x), n(plot.bottom()), n(x),
        n(plot.bottom() + kTickLength), kAxisColour, n(x),
        n(plot.bottom() + kTickLength + 4 + kTickFont), n(kTickFont), kTextColour,
        xml_escape(x_text.tick_labels[i]));
  }
  out += fmt::format(
      "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" "
      "fill=\"{}\">{}</text></g>\n",
      n(plot.x + plot.width / 2), n(frame.height - 10), n(kAxisFont), kTextColour,
      xml_escape(x_text.title));
  out += axis_lines(plot);

  // Data: bands first, then data series, then highlights on top.
  std::vector<Pixel> ink;
  std::vector<LegendEntry> legend;
  std::string bands, lines, tops;
  for (const auto& series : chart.series) {
    const std::string& arm = arm_of(series.arm, series.name);
    const std::string colour = colour_of(series.role, arm, palette);
    const std::string dash = dash_of(series.role, arm, palette);
    if (!series.band.empty()) bands += band_svg(series, sx, sy, colour);
    std::string body;
    const bool line =
        series.mark == Mark::line || series.mark == Mark::step || series.mark == Mark::line_points;
    const double stroke = series.role == SeriesRole::highlight ? 3.2 : 2.4;
    if (line) {
      std::string d = series_path(series, sx, sy, ink);
      if (!d.empty())
        body += fmt::format(
            "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" "
            "stroke-linejoin=\"round\"{}/>",
            d, colour, n(stroke), dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"");
    }
    if (!line || series.mark == Mark::line_points) {
      const bool ring = series.mark == Mark::ring;
      const double radius = ring ? 11 : series.mark == Mark::points ? 4.5 : 3.5;
      for (const auto& p : series.points) {
        if (!sx.drawable(p.x) || !sy.drawable(p.y)) continue;
        Pixel px{sx(p.x), sy(p.y)};
        ink.push_back(px);
        const std::string paint =
            ring ? fmt::format("fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"", colour)
                 : fmt::format(
                       "fill=\"{}\" fill-opacity=\"0.85\" stroke=\"#ffffff\" stroke-width=\"0.8\"",
                       colour);
        body += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {}>{}</circle>", n(px.x), n(px.y),
                            n(radius), paint, point_title(chart, series, p));
      }
    }
    std::string group = fmt::format(
        "<g class=\"series\" data-arm=\"{}\" data-colour=\"{}\" "
        "clip-path=\"url(#{}clip)\">{}</g>\n",
        xml_escape(arm), colour, frame.id, body);
    (series.role == SeriesRole::highlight ? tops : lines) += group;
    if (!series.name.empty())
      legend.push_back({series.name, legend_mark(series), colour, dash, {}});
  }
  out += bands + lines + tops;
  Drawn drawn;
  if (drawable == 0) out += no_data(plot);
  if (!legend.empty()) {
    auto layout = legend_layout(legend, plot.width - 16);
    auto placed = place_legend(plot, layout.width, layout.height, ink);
    out += legend_svg(legend, layout, placed.box);
    drawn.hidden = placed.hidden;
    drawn.legend_height = layout.height;
  }
  drawn.plot_height = plot.height;
  drawn.svg = out + "\n" + Frame::close();
  return drawn;
}

// ---- categories along x (bars, boxes) ----------------------------------------------------------

struct CategoryAxis {
  std::vector<std::string> labels;  // shortened
  bool rotated = false;
  double height = 0;    // below the plot, tick labels and axis title included
  double overhang = 0;  // how far turned labels reach left of the plot
};

// Labels turn by 35 degrees when they do not fit their slot; turned, a label of width w reaches
// w cos 35 (~0.82 w) left of its slot's middle and w sin 35 (~0.57 w) down.
CategoryAxis category_axis(const std::vector<std::string>& names, double slot, bool two_lines) {
  CategoryAxis axis;
  for (const auto& name : names) axis.labels.push_back(shorten(name, 32));
  double w = widest(axis.labels, kTickFont);
  axis.rotated = w > slot - 6;
  double labels = axis.rotated ? w * 0.57 + kTickFont : kTickFont + 4;
  if (two_lines) labels += kSmallestFont + 4;
  axis.height = kTickLength + 8 + labels + 8;
  if (axis.rotated)
    for (size_t i = 0; i < axis.labels.size(); ++i)
      axis.overhang = std::max(axis.overhang, text_width(axis.labels[i], kTickFont) * 0.82 -
                                                  slot * (static_cast<double>(i) + 0.5) + 4);
  return axis;
}

std::string category_labels(const CategoryAxis& axis, const std::vector<std::string>& full,
                            const Box& plot, double slot, const std::vector<std::string>& second) {
  std::string out = "<g class=\"x-axis\">";
  for (size_t i = 0; i < axis.labels.size(); ++i) {
    double x = plot.x + slot * (static_cast<double>(i) + 0.5);
    double y = plot.bottom() + kTickLength + 4 + kTickFont;
    std::string tooltip =
        axis.labels[i] == full[i] ? std::string() : "<title>" + xml_escape(full[i]) + "</title>";
    if (axis.rotated)
      out += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"{}\" fill=\"{}\" "
          "transform=\"rotate(-35 {} {})\">{}{}</text>",
          n(x + 4), n(y - 4), n(kTickFont), kTextColour, n(x + 4), n(y - 4),
          xml_escape(axis.labels[i]), tooltip);
    else
      out += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" fill=\"{}\">{}{}</text>",
          n(x), n(y), n(kTickFont), kTextColour, xml_escape(axis.labels[i]), tooltip);
    if (i < second.size())
      out += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" fill=\"{}\">{}</text>",
          n(x), n(plot.bottom() + axis.height - 8), n(kSmallestFont), kAxisColour,
          xml_escape(second[i]));
  }
  return out + "</g>\n";
}

Box category_plot(const Frame& frame, const AxisText& y_text, const CategoryAxis& x_axis) {
  Box plot;
  plot.y = frame.top() + 8;
  plot.height = frame.height - plot.y - x_axis.height;
  plot.x = std::max(left_margin(y_text, plot.height), x_axis.overhang + 8);
  plot.width = frame.width - plot.x - 20;
  return plot;
}

// The width of one category's slot before the plot is placed: the y axis margin is estimated for
// a plot of two thirds of the chart's height.
double slot_estimate(const Frame& frame, const AxisText& y_text, size_t categories) {
  return (frame.width - left_margin(y_text, frame.height * 2 / 3) - 20) /
         static_cast<double>(std::max<size_t>(1, categories));
}

}  // namespace

std::string render_svg(const XYChart& chart, Palette& palette, std::string_view id_prefix) {
  Drawn plain = draw_xy(chart, palette, id_prefix, 0);
  if (plain.hidden == 0 || chart.y.max || plain.plot_height <= 0) return plain.svg;
  // Every place inside hides data: try once with room for the legend above the data.
  double headroom = std::min(0.45, (plain.legend_height + 16) / plain.plot_height);
  Drawn roomy = draw_xy(chart, palette, id_prefix, headroom);
  return roomy.hidden < plain.hidden ? roomy.svg : plain.svg;
}

std::string render_svg(const BarChart& chart, Palette& palette, std::string_view id_prefix) {
  Frame frame(id_prefix, chart.width, chart.height, chart.title);
  const size_t categories = chart.categories.size();
  Range yr;
  yr.add(0);
  bool any = false;
  for (size_t c = 0; c < categories; ++c) {
    double up = 0, down = 0;
    for (const auto& group : chart.groups) {
      double v = c < group.values.size() ? group.values[c] : NAN;
      if (!std::isfinite(v)) continue;
      any = true;
      if (chart.stacked) {
        (v >= 0 ? up : down) += v;
        continue;
      }
      yr.add(v);
      if (c < group.errors.size())
        for (double e : {group.errors[c].low, group.errors[c].high})
          if (std::isfinite(e)) yr.add(e);
    }
    if (chart.stacked) yr.add(up), yr.add(down);
  }
  Axis y = chart.y;
  y.include_zero = true;
  if (y.scale == AxisScale::log) y.scale = AxisScale::linear;  // bars are read from zero
  Ticks yt = axis_ticks(y, yr.low, yr.high);
  AxisText y_text = axis_text(y, yt);
  CategoryAxis x_axis =
      category_axis(chart.categories, slot_estimate(frame, y_text, categories), false);
  Box plot = category_plot(frame, y_text, x_axis);
  const double slot = plot.width / static_cast<double>(std::max<size_t>(1, categories));
  Scale sy = make_scale(yt, y, plot.bottom(), plot.y);

  std::string description = chart.description;
  if (description.empty()) {
    std::string names;
    for (const auto& g : chart.groups) names += (names.empty() ? "" : ", ") + g.name;
    description = fmt::format("Bar chart of {} for {} categories; groups: {}.", y_text.title,
                              categories, names);
  }
  std::string out = frame.open("bar", chart.title, description);
  out += plot_area(plot, frame.id);
  out += y_axis_svg(plot, sy, yt, y_text);
  out += category_labels(x_axis, chart.categories, plot, slot, {});
  if (yt.low < 0 && yt.high > 0)
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>\n", n(plot.x),
                       n(sy(0)), n(plot.right()), n(sy(0)), kAxisColour);

  std::vector<Pixel> ink;
  std::vector<LegendEntry> legend;
  const size_t groups = std::max<size_t>(1, chart.groups.size());
  const double cluster = slot * 0.78;
  const double bar = chart.stacked ? cluster : cluster / static_cast<double>(groups);
  std::vector<double> stack_up(categories, 0), stack_down(categories, 0);
  std::string bodies;
  for (size_t g = 0; g < chart.groups.size(); ++g) {
    const auto& group = chart.groups[g];
    const std::string& arm = arm_of(group.arm, group.name);
    const bool by_category = chart.colour_by_category && group.role == SeriesRole::data;
    const std::string group_colour =
        by_category ? std::string() : colour_of(group.role, arm, palette);
    std::string body;
    std::vector<std::string> colours;
    for (size_t c = 0; c < categories; ++c) {
      const std::string colour = by_category ? palette.colour(chart.categories[c]) : group_colour;
      colours.push_back(colour);
      double v = c < group.values.size() ? group.values[c] : NAN;
      double x = plot.x + slot * static_cast<double>(c) + (slot - cluster) / 2 +
                 (chart.stacked ? 0 : bar * static_cast<double>(g));
      if (!std::isfinite(v)) {
        if (!chart.stacked)
          body += fmt::format(
              "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" "
              "fill=\"{}\">n/a</text>",
              n(x + bar / 2), n(sy(0) - 6), n(kSmallestFont), kAxisColour);
        continue;
      }
      double base = 0;
      if (chart.stacked) {
        double& stack = v >= 0 ? stack_up[c] : stack_down[c];
        base = stack;
        stack += v;
      }
      double y0 = sy(base), y1 = sy(base + v);
      Box rect{x + 1, std::min(y0, y1), std::max(0.0, bar - 2), std::fabs(y1 - y0)};
      sample_box(rect, kInk, ink);
      std::string tooltip =
          fmt::format("{} — {}: {}", group.name, chart.categories[c], value_text(chart.y, v));
      if (!chart.stacked && c < group.errors.size() && std::isfinite(group.errors[c].low) &&
          std::isfinite(group.errors[c].high))
        tooltip += fmt::format(" (interval {} to {})", value_text(chart.y, group.errors[c].low),
                               value_text(chart.y, group.errors[c].high));
      body += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}><title>{}</title>"
          "</rect>",
          n(rect.x), n(rect.y), n(rect.width), n(rect.height), colour,
          group.role == SeriesRole::reference ? " fill-opacity=\"0.75\"" : "", xml_escape(tooltip));
      if (!chart.stacked && c < group.errors.size()) {
        const auto& e = group.errors[c];
        if (std::isfinite(e.low) && std::isfinite(e.high)) {
          double cx = x + bar / 2, cap = std::min(10.0, bar / 3);
          double lo = sy(e.low), hi = sy(e.high);
          sample_segment({cx, lo}, {cx, hi}, kInk, ink);
          body += fmt::format(
              "<path class=\"error-bar\" d=\"M{} {}V{}M{} {}H{}M{} {}H{}\" fill=\"none\" "
              "stroke=\"{}\" stroke-width=\"1.6\"/>",
              n(cx), n(lo), n(hi), n(cx - cap), n(lo), n(cx + cap), n(cx - cap), n(hi), n(cx + cap),
              kTextColour);
        }
      }
    }
    bodies += fmt::format(
        "<g class=\"series\" data-arm=\"{}\" data-colour=\"{}\" "
        "clip-path=\"url(#{}clip)\">{}</g>\n",
        xml_escape(arm), by_category ? std::string("by-category") : group_colour, frame.id, body);
    if (by_category)
      legend.push_back({group.name, LegendMark::categories, "", "", colours});
    else
      legend.push_back({group.name, LegendMark::bar, group_colour, "", {}});
  }
  out += bodies;
  out += axis_lines(plot);
  if (!any) out += no_data(plot);
  if (chart.stacked) std::reverse(legend.begin(), legend.end());  // read top down, as stacked
  // One group of bars coloured per category needs no legend: the axis names the categories.
  if (legend.size() > 1 || (legend.size() == 1 && !chart.colour_by_category)) {
    auto layout = legend_layout(legend, plot.width - 16);
    auto placed = place_legend(plot, layout.width, layout.height, ink);
    out += legend_svg(legend, layout, placed.box);
  }
  return out + "\n" + Frame::close();
}

std::string render_svg(const BoxChart& chart, Palette& palette, std::string_view id_prefix) {
  Frame frame(id_prefix, chart.width, chart.height, chart.title);
  const bool log = chart.y.scale == AxisScale::log;
  const size_t count = chart.groups.size();
  Range yr;
  std::vector<std::string> names, counts;
  for (const auto& group : chart.groups) {
    names.push_back(group.name);
    size_t used = 0;
    for (double v : group.values)
      if (std::isfinite(v) && (!log || v > 0)) yr.add(v), ++used;
    counts.push_back(fmt::format("n = {}", used));
  }
  const bool any = !yr.empty();
  if (!any) yr = {0, 1};
  Ticks yt = axis_ticks(chart.y, yr.low, yr.high);
  AxisText y_text = axis_text(chart.y, yt);
  CategoryAxis x_axis = category_axis(names, slot_estimate(frame, y_text, count), true);
  Box plot = category_plot(frame, y_text, x_axis);
  const double slot = plot.width / static_cast<double>(std::max<size_t>(1, count));
  Scale sy = make_scale(yt, chart.y, plot.bottom(), plot.y);

  std::string description = chart.description;
  if (description.empty())
    description = fmt::format(
        "Box plot of {} for {} groups: boxes span the first to third quartile with a line at the "
        "median, whiskers reach the furthest values within 1.5 IQR, dots are every value.",
        y_text.title, count);
  std::string out = frame.open("box", chart.title, description);
  out += plot_area(plot, frame.id);
  out += y_axis_svg(plot, sy, yt, y_text);
  out += category_labels(x_axis, names, plot, slot, counts);
  const double box_width = std::min(90.0, slot * 0.5);
  for (size_t g = 0; g < count; ++g) {
    const auto& group = chart.groups[g];
    const std::string& arm = arm_of(group.arm, group.name);
    const std::string colour = palette.colour(arm);
    std::vector<double> values;
    for (double v : group.values)
      if (std::isfinite(v) && (!log || v > 0)) values.push_back(v);
    const double cx = plot.x + slot * (static_cast<double>(g) + 0.5);
    std::string body;
    if (!values.empty()) {
      Quartiles q = quartiles(values);
      double fence_low = q.q1 - 1.5 * q.iqr(), fence_high = q.q3 + 1.5 * q.iqr();
      double whisker_low = q.q1, whisker_high = q.q3;
      for (double v : values) {
        if (v >= fence_low) whisker_low = std::min(whisker_low, v);
        if (v <= fence_high) whisker_high = std::max(whisker_high, v);
      }
      double left = cx - box_width / 2, right = cx + box_width / 2;
      body += fmt::format(
          "<path class=\"whisker\" d=\"M{} {}V{}M{} {}V{}M{} {}H{}M{} {}H{}\" fill=\"none\" "
          "stroke=\"{}\" stroke-width=\"1.5\"/>",
          n(cx), n(sy(q.q1)), n(sy(whisker_low)), n(cx), n(sy(q.q3)), n(sy(whisker_high)),
          n(cx - box_width / 4), n(sy(whisker_low)), n(cx + box_width / 4), n(sy(whisker_low)),
          n(cx - box_width / 4), n(sy(whisker_high)), n(cx + box_width / 4), n(sy(whisker_high)),
          kTextColour);
      body += fmt::format(
          "<rect class=\"box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "fill-opacity=\"0.22\" stroke=\"{}\" stroke-width=\"1.8\"><title>{}</title></rect>",
          n(left), n(sy(q.q3)), n(box_width), n(std::max(0.0, sy(q.q1) - sy(q.q3))), colour, colour,
          xml_escape(fmt::format("{}: median {}, quartiles {} to {}, n = {}", group.name,
                                 value_text(chart.y, q.median), value_text(chart.y, q.q1),
                                 value_text(chart.y, q.q3), q.n)));
      body += fmt::format(
          "<line class=\"median\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" "
          "stroke-width=\"3\"/>",
          n(left), n(sy(q.median)), n(right), n(sy(q.median)), colour);
      // The strip: every value, spread sideways by a fixed low-discrepancy sequence so the same
      // data always draws the same picture.
      for (size_t i = 0; i < values.size(); ++i) {
        double spread = std::fmod(static_cast<double>(i) * 0.6180339887498949, 1.0) - 0.5;
        body +=
            fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\" fill-opacity=\"0.7\"/>",
                        n(cx + spread * box_width * 0.8), n(sy(values[i])), colour);
      }
    }
    out += fmt::format(
        "<g class=\"series\" data-arm=\"{}\" data-colour=\"{}\" "
        "clip-path=\"url(#{}clip)\">{}</g>\n",
        xml_escape(arm), colour, frame.id, body);
  }
  out += axis_lines(plot);
  if (!any) out += no_data(plot);
  return out + "\n" + Frame::close();
}

}  // namespace greentune::report
