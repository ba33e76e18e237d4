#include "greentune/report/svg_text.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

namespace greentune::report {
namespace {

// Length of the UTF-8 sequence starting at text[i], or 0 when it is not valid UTF-8.
size_t utf8_length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t length = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xe  ? 3
                  : (lead >> 3) == 0x1e ? 4
                                        : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k)
    if ((byte(i + k) >> 6) != 0x2) return 0;
  // Overlong forms and surrogates are not valid UTF-8 either.
  if (length == 2 && lead < 0xc2) return 0;
  if (length == 3 && lead == 0xe0 && byte(i + 1) < 0xa0) return 0;
  if (length == 3 && lead == 0xed && byte(i + 1) >= 0xa0) return 0;
  if (length == 4 && (lead > 0xf4 || (lead == 0xf0 && byte(i + 1) < 0x90) ||
                      (lead == 0xf4 && byte(i + 1) >= 0x90)))
    return 0;
  return length;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t length = utf8_length(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    char c = text[i++];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
    }
  }
  return out;
}

std::string svg_id(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return out;
}

std::string svg_number(double value) {
  if (!std::isfinite(value)) return "0";
  std::string text = fmt::format("{:.2f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

double text_width(std::string_view text, double font_size) {
  double em = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xc0) == 0x80) continue;  // UTF-8 continuation: counted with its lead byte
    if (c == ' ')
      em += 0.32;
    else if (c == 'i' || c == 'l' || c == 'j' || c == '.' || c == ',' || c == ':' || c == '\'' ||
             c == '|' || c == '!')
      em += 0.3;
    else if (c == 'm' || c == 'w' || c == 'M' || c == 'W')
      em += 0.92;
    else if (std::isupper(c))
      em += 0.72;
    else if (std::isdigit(c))
      em += 0.64;
    else
      em += 0.6;
  }
  return em * font_size;
}

}  // namespace greentune::report
