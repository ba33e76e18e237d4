#include "greentune/command/report_line.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace greentune::command {
namespace {

const ReportKeys kKeys{{"accuracy"}, "epoch"};

TEST(ReportLine, ReadsMetricsStepAndFinal) {
  auto r = parse_report_line(R"({"epoch": 3, "accuracy": 0.871, "loss": 0.35})", kKeys);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->values, std::vector<double>{0.871});
  EXPECT_EQ(r->step, 3);
  EXPECT_FALSE(r->final);
  r = parse_report_line(R"(  {"accuracy": 0.9, "final": true})", kKeys);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->step);
  EXPECT_TRUE(r->final);
}

TEST(ReportLine, ReadsPythonsNonFiniteLiteralsAndNull) {
  auto r = parse_report_line(R"({"epoch": 1, "accuracy": NaN})", kKeys);
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::isnan(r->values[0]));
  r = parse_report_line(R"({"epoch": 1, "accuracy": -Infinity, "note": "NaN Infinity"})", kKeys);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->values[0], -INFINITY);
  r = parse_report_line(R"({"epoch": 1, "accuracy": null})", kKeys);
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::isnan(r->values[0]));
}

TEST(ReportLine, AnythingElseIsNoReport) {
  for (const char* line :
       {"", "epoch 3 accuracy 0.8", "{", "{\"epoch\": 1}", "[1, 2]", "{\"accuracy\": \"high\"}",
        "{\"accuracy\": 0.5, \"epoch\": 1.5}", "{\"accuracy\": 0.5, \"epoch\": -1}",
        "{\"accuracy\": 0.5, \"epoch\": \"one\"}", "{\"accuracy\": 0.5} trailing",
        "{\"accuracy\": 0.5, \"s\": \"\xff\xfe\"}", "{\"accuracy\": NaNa}"}) {
    EXPECT_FALSE(parse_report_line(line, kKeys)) << line;
  }
}

TEST(ReportLine, SeveralMetricsMustAllBeThere) {
  ReportKeys keys{{"accuracy", "loss"}, ""};
  EXPECT_FALSE(parse_report_line(R"({"accuracy": 0.8})", keys));
  auto r = parse_report_line(R"({"loss": 0.2, "accuracy": 0.8})", keys);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->values, (std::vector<double>{0.8, 0.2}));
}

struct Collected {
  std::vector<std::string> lines;
  std::string overlong;
  int overlong_ends = 0;
  size_t largest_piece = 0;
};

LineSplitter splitter(Collected& c, size_t limit) {
  return LineSplitter({[&c](std::string_view l) { c.lines.emplace_back(l); },
                       [&c](std::string_view b) {
                         c.overlong.append(b);
                         c.largest_piece = std::max(c.largest_piece, b.size());
                       },
                       [&c] { ++c.overlong_ends; }},
                      limit);
}

TEST(LineSplitter, JoinsPartialLinesAndDeliversTheLastOneAtTheEnd) {
  Collected c;
  auto s = splitter(c, 100);
  s.feed("{\"a\":");
  s.feed(" 1}\nsecond\nthi");
  s.feed("rd");
  EXPECT_EQ(c.lines, (std::vector<std::string>{"{\"a\": 1}", "second"}));
  s.finish();
  EXPECT_EQ(c.lines.back(), "third");
}

// A line far over the limit never takes more than the limit in memory; the lines around it are
// read as usual.
TEST(LineSplitter, HandsOnOverlongLinesInPiecesWithoutHoldingThem) {
  Collected c;
  auto s = splitter(c, 64);
  s.feed("before\n");
  std::string chunk(1000, 'x');
  for (int i = 0; i < 50; ++i) s.feed(chunk);
  s.feed("tail\nafter\n");
  EXPECT_EQ(c.lines, (std::vector<std::string>{"before", "after"}));
  EXPECT_EQ(c.overlong.size(), 50u * 1000u + 4u);
  EXPECT_EQ(c.overlong_ends, 1);
  EXPECT_LE(c.largest_piece, 1000u);
}

}  // namespace
}  // namespace greentune::command
