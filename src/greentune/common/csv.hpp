#pragma once
// One CSV cell, for every CSV greentune writes (measure, trials, report exports).
#include <string>
#include <string_view>

namespace greentune {

// `text` as one RFC 4180 cell, safe to open in a spreadsheet:
// - a number ("12", "-0.5", "3e-05", "+7") stays as it is, so it is still read as a number;
// - any other text that starts with '=', '+', '-', '@', a tab or a carriage return gets a single
//   quote in front ("=cmd()" -> "'=cmd()"), so Excel, LibreOffice and Google Sheets show it as
//   text instead of running it as a formula (OWASP's advice for CSV injection);
// - a cell holding a comma, a double quote or a line break is quoted, with quotes doubled.
std::string csv_cell(std::string_view text);

// Whether `text` is a plain decimal number (optional sign, digits, optional fraction and
// exponent), the only text csv_cell leaves unprefixed when it starts with '+' or '-'.
bool is_csv_number(std::string_view text);

}  // namespace greentune
