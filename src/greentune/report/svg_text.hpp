#pragma once
// Text and numbers as they go into SVG: escaped for XML, numbers in a fixed short form (so equal
// charts are equal byte for byte), and a width estimate for laying out labels without a font.
#include <string>
#include <string_view>

namespace greentune::report {

// Safe as element text and inside double- or single-quoted attributes: & < > " ' become
// entities, control characters (not allowed in XML 1.0) become spaces, and bytes that are not
// UTF-8 become U+FFFD.
std::string xml_escape(std::string_view text);

// Letters, digits, '-' and '_' only (anything else becomes '_'), so a caller's prefix can go into
// an id and a url(#...) reference unescaped.
std::string svg_id(std::string_view text);

// A coordinate: at most two decimals, no trailing zeros, never "-0".
std::string svg_number(double value);

// The width of `text` in sans-serif at `font_size`, from typical glyph widths (DejaVu Sans, the
// widest common default); an estimate on the generous side, for layout only.
double text_width(std::string_view text, double font_size);

}  // namespace greentune::report
