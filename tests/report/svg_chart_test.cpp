#include "greentune/report/svg_chart.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "greentune/report/svg_legend.hpp"
#include "greentune/report/svg_text.hpp"
#include "report/svg_dom.hpp"

namespace greentune::report {
namespace {

using testing::Element;
using testing::parse_xml;

Box box_of(const Element& rect) {
  return {rect.number("x"), rect.number("y"), rect.number("width"), rect.number("height")};
}

const Element& only(const std::vector<const Element*>& elements, const std::string& what) {
  if (elements.size() != 1)
    throw std::runtime_error("expected one " + what + ", found " + std::to_string(elements.size()));
  return *elements.front();
}

XYChart strategies_chart() {
  XYChart chart;
  chart.title = "best accuracy so far per round";
  chart.x = {"round", ""};
  chart.x.integer = true;
  chart.y = {"best accuracy", ""};
  const std::map<std::string, std::vector<double>> curves = {
      {"bayes", {0.5, 0.7, 0.8, 0.82, 0.83}},
      {"grid", {0.4, 0.6, 0.6, 0.75, 0.78}},
      {"random", {0.45, 0.65, 0.72, 0.72, 0.8}}};
  for (const auto& [arm, values] : curves) {
    XYSeries series{arm, arm, {}, Mark::step};
    for (size_t i = 0; i < values.size(); ++i)
      series.points.push_back({static_cast<double>(i + 1), values[i]});
    chart.series.push_back(series);
  }
  return chart;
}

// Every chart kind, with a legend where the kind has one.
std::vector<std::string> one_of_each(Palette& palette) {
  BarChart bars;
  bars.title = "energy to optimum";
  bars.y = {"energy", "J"};
  bars.categories = {"bayes", "random", "grid"};
  bars.groups = {{"this run", "", {1200, 900, 400}, {{1000, 1400}, {800, 1000}, {NAN, NAN}}},
                 {"paper", "", {1000, NAN, 500}, {}, SeriesRole::reference}};
  bars.colour_by_category = true;
  BoxChart boxes;
  boxes.title = "joules per trial";
  boxes.y = {"energy per trial", "J"};
  boxes.groups = {{"bayes", "", {140, 150, 160, 155, 149}}, {"grid", "", {55, 60, 65, 61}}};
  return {render_svg(strategies_chart(), palette, "a"), render_svg(bars, palette, "b"),
          render_svg(boxes, palette, "c")};
}

TEST(SvgChart, IsWellFormedScalableAndAccessible) {
  Palette palette;
  for (const auto& svg : one_of_each(palette)) {
    auto root = parse_xml(svg);
    EXPECT_EQ(root->name, "svg");
    EXPECT_TRUE(root->has_class("greentune-chart"));
    EXPECT_EQ(root->attr("width"), "100%");
    EXPECT_EQ(root->attr("viewBox").rfind("0 0 ", 0), 0u) << root->attr("viewBox");
    EXPECT_EQ(root->attr("height"), "");  // the height follows from the width and viewBox
    EXPECT_EQ(root->attr("role"), "img");
    // aria-labelledby names the <title> and <desc>, which are the first children.
    std::string id = root->attr("aria-labelledby");
    ASSERT_GE(root->children.size(), 2u);
    EXPECT_EQ(root->children[0]->name, "title");
    EXPECT_EQ(root->children[1]->name, "desc");
    EXPECT_EQ(id, root->children[0]->attr("id") + " " + root->children[1]->attr("id"));
    EXPECT_FALSE(root->children[0]->text.empty());
    EXPECT_FALSE(root->children[1]->text.empty());
    // Nothing to fetch, nothing to run.
    EXPECT_EQ(svg.find("http"), std::string::npos);
    EXPECT_TRUE(root->all("script").empty());
    EXPECT_TRUE(root->all("foreignObject").empty());
  }
}

TEST(SvgChart, EveryTextIsAtLeastTheSmallestFont) {
  Palette palette;
  for (const auto& svg : one_of_each(palette)) {
    auto root = parse_xml(svg);
    auto texts = root->all("text");
    ASSERT_FALSE(texts.empty());
    for (const auto* text : texts) {
      double size = text->number("font-size");
      ASSERT_TRUE(std::isfinite(size)) << "text without font-size: " << text->all_text();
      EXPECT_GE(size, kSmallestFont) << text->all_text();
    }
  }
  // 13 units in a 1000-unit-wide chart stay 12 px or more down to 924 px of chart width, below
  // the width the report gives a chart at 1280 px (the Chromium test measures it).
  EXPECT_GE(kSmallestFont * 924.0 / 1000.0, 12.0);
}

TEST(SvgChart, HostileNamesCannotInjectMarkup) {
  const std::string hostile = "<script>alert(\"x\")</script>' onload='x' & ]]>";
  XYChart chart = strategies_chart();
  chart.title = hostile;
  chart.x.label = hostile;
  chart.series[0].name = hostile;
  chart.series[0].arm = hostile;
  Palette palette;
  std::string svg = render_svg(chart, palette, "p\"><script>");
  auto root = parse_xml(svg);  // throws if an unescaped name broke the XML
  EXPECT_TRUE(root->all("script").empty());
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  // The text survives intact for the reader: title, legend and data attribute.
  EXPECT_EQ(root->children[0]->text, hostile);
  bool in_legend = false;
  for (const auto* text : only(root->with_class("legend"), "legend").all("text"))
    in_legend = in_legend || text->text == hostile;
  EXPECT_TRUE(in_legend);
  bool in_data = false;
  for (const auto* series : root->with_class("series"))
    in_data = in_data || series->attr("data-arm") == hostile;
  EXPECT_TRUE(in_data);
  // No attribute other than the data ones picked up markup.
  for (const auto* element : root->all("g"))
    for (const auto& [key, value] : element->attributes) {
      if (key.rfind("data-", 0) != 0) {
        EXPECT_EQ(value.find('<'), std::string::npos) << key;
      }
    }
  // The id prefix is sanitised, so ids and url(#...) references stay plain.
  EXPECT_EQ(root->children[0]->attr("id").find_first_of("\"<>"), std::string::npos);
}

TEST(SvgText, EscapesMarkupControlCharactersAndBrokenUtf8) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(xml_escape(std::string("tab\there\x01", 10)), "tab here  ");  // NUL included
  EXPECT_EQ(xml_escape("η² ok"), "η² ok");
  EXPECT_EQ(xml_escape("bad \xff byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(xml_escape("cut \xE2\x82"), "cut \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(svg_id("c1_<x>\"y"), "c1__x__y");
  EXPECT_EQ(svg_number(-0.001), "0");
  EXPECT_EQ(svg_number(12.5), "12.5");
  EXPECT_EQ(svg_number(3.0), "3");
}

TEST(SvgChart, LegendSitsInsideThePlotAreaAwayFromTheData) {
  // All points crowd the top right, where a legend would go first.
  XYChart chart;
  chart.title = "crowded corner";
  chart.x = {"energy", "J"};
  chart.y = {"accuracy", ""};
  XYSeries a{"arm a", "a", {}, Mark::points};
  XYSeries b{"arm b", "b", {}, Mark::points};
  for (int i = 0; i < 20; ++i) {
    a.points.push_back({900.0 + i * 5, 0.9 + i * 0.004});
    b.points.push_back({950.0 + i * 2, 0.92 + i * 0.003});
  }
  a.points.push_back({0, 0.1});  // stretch the axes so the corner is far from the rest
  chart.series = {a, b};
  Palette palette;
  auto root = parse_xml(render_svg(chart, palette, "l"));
  Box plot = box_of(only(root->with_class("plot-area"), "plot area"));
  Box legend = box_of(only(root->with_class("legend-box"), "legend box"));
  EXPECT_TRUE(plot.contains(legend)) << legend.x << "," << legend.y;
  for (const auto* series : root->with_class("series"))
    for (const auto* circle : series->all("circle"))
      EXPECT_FALSE(legend.contains(circle->number("cx"), circle->number("cy")))
          << circle->number("cx") << "," << circle->number("cy");
}

TEST(SvgChart, LegendOfEveryKindStaysInsideThePlot) {
  Palette palette;
  auto svgs = one_of_each(palette);
  for (size_t i = 0; i < 2; ++i) {  // the box plot names its groups on the axis instead
    auto root = parse_xml(svgs[i]);
    Box plot = box_of(only(root->with_class("plot-area"), "plot area"));
    Box legend = box_of(only(root->with_class("legend-box"), "legend box"));
    EXPECT_TRUE(plot.contains(legend)) << "chart " << i;
  }
}

TEST(SvgLegend, PicksTheCornerHidingFewestMarks) {
  Box plot{0, 0, 400, 300};
  std::vector<Pixel> marks;
  sample_box({300, 0, 100, 60}, 5, marks);  // top right full
  sample_box({0, 0, 100, 60}, 5, marks);    // top left full
  auto placed = place_legend(plot, 80, 40, marks);
  EXPECT_EQ(placed.hidden, 0u);
  EXPECT_GT(placed.box.y, 150);                        // moved to the bottom
  EXPECT_GT(placed.box.x, 200);                        // bottom right comes before bottom left
  EXPECT_EQ(place_legend(plot, 80, 40, {}).box.y, 8);  // nothing drawn: top right
}

std::map<std::string, std::string> colours_by_arm(const Element& root) {
  std::map<std::string, std::string> colours;
  for (const auto* series : root.with_class("series"))
    colours[series->attr("data-arm")] = series->attr("data-colour");
  return colours;
}

TEST(SvgChart, OneColourPerArmAcrossCharts) {
  Palette palette;
  auto line = parse_xml(render_svg(strategies_chart(), palette, "x"));
  // The same strategies in another order, as boxes, and as bars coloured by category.
  BoxChart boxes;
  boxes.y = {"energy per trial", "J"};
  boxes.groups = {{"random", "", {1, 2, 3}}, {"grid", "", {2, 3}}, {"bayes", "", {4}}};
  auto box = parse_xml(render_svg(boxes, palette, "y"));
  BarChart bars;
  bars.y = {"rounds", ""};
  bars.categories = {"grid", "bayes", "random"};
  bars.groups = {{"this run", "", {3, 4, 5}}};
  bars.colour_by_category = true;
  auto bar = parse_xml(render_svg(bars, palette, "z"));

  auto a = colours_by_arm(*line), b = colours_by_arm(*box);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a["bayes"], a["grid"]);
  EXPECT_NE(a["bayes"], a["random"]);
  EXPECT_NE(a["grid"], a["random"]);
  EXPECT_EQ(a["bayes"], "#0072B2");  // Okabe-Ito blue, bayes' own
  const auto& rects = only(bar->with_class("series"), "bar group").all("rect");
  ASSERT_EQ(rects.size(), 3u);
  EXPECT_EQ(rects[0]->attr("fill"), a["grid"]);
  EXPECT_EQ(rects[1]->attr("fill"), a["bayes"]);
  EXPECT_EQ(rects[2]->attr("fill"), a["random"]);
}

TEST(Palette, StableDistinctAndDashedOnceColoursRunOut) {
  Palette palette;
  EXPECT_EQ(palette.colour("cell-1"), "#0072B2");  // no strategy: first free colour
  EXPECT_EQ(palette.colour("bayes"), "#D55E00");   // its own blue is taken: next free
  EXPECT_EQ(palette.colour("grid"), "#009E73");    // its own green is free
  EXPECT_EQ(palette.colour("cell-1"), "#0072B2");  // asked again: the same
  for (int i = 2; i <= 7; ++i) palette.swatch("cell-" + std::to_string(i));
  EXPECT_TRUE(palette.swatch("cell-2").dash.empty());
  const Swatch& eighth = palette.swatch("cell-6");
  EXPECT_FALSE(eighth.dash.empty());  // the 8th arm repeats a colour, dashed
}

TEST(SvgChart, SameInputSameBytes) {
  Palette one, two;
  EXPECT_EQ(one_of_each(one), one_of_each(two));
}

TEST(SvgChart, BarsCarryErrorBarsAndMarkMissingValues) {
  Palette palette;
  auto root = parse_xml(one_of_each(palette)[1]);
  // Two intervals given (the third is NaN: one observation), none for the reference group.
  EXPECT_EQ(root->with_class("error-bar").size(), 2u);
  size_t missing = 0;
  for (const auto* text : root->all("text")) missing += text->text == "n/a";
  EXPECT_EQ(missing, 1u);
  // The paper's bars are grey, dashed in the legend's reading: reference colour.
  bool grey = false;
  for (const auto* series : root->with_class("series"))
    grey = grey || series->attr("data-colour") == kReferenceColour;
  EXPECT_TRUE(grey);
  // Error bars stretch the axis: the top tick is at least the highest interval end (1.4 kJ).
  double top_label = 0;
  for (const auto* text : only(root->with_class("y-axis"), "y axis").all("text"))
    if (!text->has_class("axis-title")) top_label = std::max(top_label, std::stod(text->text));
  EXPECT_GE(top_label, 1.4);
  EXPECT_NE(root->all_text().find("energy (kJ)"), std::string::npos);
}

TEST(SvgChart, BoxPlotDrawsQuartilesAndEveryValue) {
  BoxChart chart;
  chart.y = {"energy per trial", "J"};
  chart.groups = {{"low", "", {1, 2, 3, 4, 5}}, {"high", "", {10, 11, 12, 13, 100}}};
  Palette palette;
  auto root = parse_xml(render_svg(chart, palette, "q"));
  auto boxes = root->with_class("box");
  ASSERT_EQ(boxes.size(), 2u);
  auto medians = root->with_class("median");
  ASSERT_EQ(medians.size(), 2u);
  // Up is smaller y: the higher group's median sits above the lower group's.
  EXPECT_LT(medians[1]->number("y1"), medians[0]->number("y1"));
  // The box spans Q1..Q3: the median line lies within it.
  for (size_t i = 0; i < 2; ++i) {
    Box box = box_of(*boxes[i]);
    EXPECT_GE(medians[i]->number("y1"), box.y);
    EXPECT_LE(medians[i]->number("y1"), box.bottom());
  }
  size_t dots = 0;
  for (const auto* series : root->with_class("series")) dots += series->all("circle").size();
  EXPECT_EQ(dots, 10u);
  EXPECT_NE(root->all_text().find("n = 5"), std::string::npos);
  // 100 is an outlier: the whisker stops at 13, below it.
  EXPECT_NE(boxes[1]->all_text().find("median 12 J"), std::string::npos);
}

TEST(SvgChart, ParetoFrontIsABlackStepOnTop) {
  XYChart chart;
  chart.x = {"energy per run", "J"};
  chart.y = {"accuracy", ""};
  chart.series = {{"runs", "", {{100, 0.8}, {150, 0.85}, {160, 0.84}, {300, 0.9}}, Mark::points},
                  {"Pareto front",
                   "",
                   {{100, 0.8}, {150, 0.85}, {300, 0.9}},
                   Mark::step,
                   SeriesRole::highlight}};
  Palette palette;
  auto root = parse_xml(render_svg(chart, palette, "f"));
  auto series = root->with_class("series");
  ASSERT_EQ(series.size(), 2u);
  const Element& front = *series.back();  // drawn last, on top
  EXPECT_EQ(front.attr("data-colour"), kHighlightColour);
  std::string d = only(front.all("path"), "front path").attr("d");
  EXPECT_EQ(d.find('L'), std::string::npos) << d;
  EXPECT_NE(d.find('H'), std::string::npos) << d;
  EXPECT_NE(d.find('V'), std::string::npos) << d;
}

TEST(SvgChart, BandsAndLogAxisInJoules) {
  XYChart chart;
  chart.x = {"cumulative energy", "J", AxisScale::log};
  chart.y = {"best accuracy", ""};
  XYSeries s{
      "bayes, 3 seeds", "bayes", {{20, 0.5}, {200, 0.7}, {2000, 0.8}, {20000, 0.82}}, Mark::line};
  s.band = {{0.45, 0.55}, {0.65, 0.75}, {0.78, 0.82}, {0.8, 0.84}};
  chart.series = {s};
  Palette palette;
  auto root = parse_xml(render_svg(chart, palette, "g"));
  EXPECT_EQ(root->with_class("band").size(), 1u);
  std::vector<std::string> ticks;
  for (const auto* text : only(root->with_class("x-axis"), "x axis").all("text"))
    if (!text->has_class("axis-title")) ticks.push_back(text->text);
  EXPECT_EQ(ticks, (std::vector<std::string>{"10 J", "100 J", "1 kJ", "10 kJ", "100 kJ"}));
  EXPECT_NE(root->all_text().find("cumulative energy, log scale"), std::string::npos);
}

TEST(SvgChart, EmptyChartsSayNoData) {
  Palette palette;
  XYChart xy;
  xy.title = "nothing yet";
  BarChart bars;
  BoxChart boxes;
  for (const auto& svg : {render_svg(xy, palette, "e1"), render_svg(bars, palette, "e2"),
                          render_svg(boxes, palette, "e3")}) {
    auto root = parse_xml(svg);
    EXPECT_EQ(root->with_class("no-data").size(), 1u) << svg;
  }
}

TEST(SvgChart, LongCategoryNamesTurnAndShorten) {
  BarChart bars;
  bars.y = {"energy", "J"};
  for (int i = 0; i < 12; ++i)
    bars.categories.push_back("conv=" + std::to_string(i) + " linear=7 relu=on dropout=0.25 bn=1");
  bars.groups = {{"runs", "", std::vector<double>(12, 100.0)}};
  Palette palette;
  auto root = parse_xml(render_svg(bars, palette, "r"));
  size_t turned = 0;
  for (const auto* text : only(root->with_class("x-axis"), "x axis").all("text")) {
    turned += text->attr("transform").find("rotate") != std::string::npos;
    EXPECT_LE(text->text.size(), 34u);  // 31 bytes and the 3-byte ellipsis
  }
  EXPECT_EQ(turned, 12u);
}

}  // namespace
}  // namespace greentune::report
