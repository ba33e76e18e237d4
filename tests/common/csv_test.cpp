// CSV cells: quoted where RFC 4180 needs it, and never run as a formula by a spreadsheet.
#include "greentune/common/csv.hpp"

#include <gtest/gtest.h>

namespace greentune {
namespace {

TEST(CsvCell, PlainTextStaysAsItIs) {
  EXPECT_EQ(csv_cell("package-0"), "package-0");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("lr=0.1"), "lr=0.1");  // '=' inside text starts no formula
}

TEST(CsvCell, CommasQuotesAndLineBreaksAreQuoted) {
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
}

TEST(CsvCell, FormulaStartsArePrefixedWithAQuote) {
  EXPECT_EQ(csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_cell("=1+2"), "'=1+2");
  EXPECT_EQ(csv_cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
  EXPECT_EQ(csv_cell("-2+3+cmd"), "'-2+3+cmd");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("\tx"), "'\tx");
  EXPECT_EQ(csv_cell("\rx"), "\"'\rx\"");
  EXPECT_EQ(csv_cell("-inf"), "'-inf");  // not a number a spreadsheet reads
}

TEST(CsvCell, NumbersStayNumbersNegativeOnesToo) {
  for (const char* number : {"0", "12", "-3", "-0.5", "+7", "3e-05", "-1.25E+10", ".5", "5."}) {
    EXPECT_EQ(csv_cell(number), number);
    EXPECT_TRUE(is_csv_number(number)) << number;
  }
  for (const char* text : {"-", "+", ".", "1e", "1e+", "--1", "1-2", "0x10", " 1", "1 "}) {
    EXPECT_FALSE(is_csv_number(text)) << text;
  }
}

}  // namespace
}  // namespace greentune
