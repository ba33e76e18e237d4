#pragma once
// A parsed SVG (with expat, a real XML parser), so tests assert on elements and attributes rather
// than on text patterns, and an unescaped name shows up as a parse error or a stray element.
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace greentune::report::testing {

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // character data directly inside, entities decoded
  std::vector<std::unique_ptr<Element>> children;
  const Element* parent = nullptr;

  std::string attr(const std::string& key) const;  // "" when absent
  double number(const std::string& key) const;     // NaN when absent or not a number
  bool has_class(const std::string& cls) const;
  // Every descendant (not this element) in document order that matches.
  std::vector<const Element*> all(const std::string& element_name) const;
  std::vector<const Element*> with_class(const std::string& cls) const;
  std::string all_text() const;  // text of this element and its descendants
};

// Throws std::runtime_error with expat's message and line when `xml` is not well-formed.
std::unique_ptr<Element> parse_xml(const std::string& xml);

}  // namespace greentune::report::testing
