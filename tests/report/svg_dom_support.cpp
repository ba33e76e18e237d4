#include <expat.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "report/svg_dom.hpp"

namespace greentune::report::testing {
namespace {

struct Builder {
  std::unique_ptr<Element> root;
  Element* current = nullptr;
};

void start(void* data, const XML_Char* name, const XML_Char** attributes) {
  auto* builder = static_cast<Builder*>(data);
  auto element = std::make_unique<Element>();
  element->name = name;
  for (size_t i = 0; attributes[i]; i += 2) element->attributes[attributes[i]] = attributes[i + 1];
  element->parent = builder->current;
  Element* raw = element.get();
  if (builder->current)
    builder->current->children.push_back(std::move(element));
  else
    builder->root = std::move(element);
  builder->current = raw;
}

void end(void* data, const XML_Char*) {
  auto* builder = static_cast<Builder*>(data);
  builder->current = const_cast<Element*>(builder->current->parent);
}

void characters(void* data, const XML_Char* text, int length) {
  auto* builder = static_cast<Builder*>(data);
  if (builder->current) builder->current->text.append(text, static_cast<size_t>(length));
}

void collect(const Element& element, const std::string& name, const std::string& cls,
             std::vector<const Element*>& out) {
  for (const auto& child : element.children) {
    if ((!name.empty() && child->name == name) || (!cls.empty() && child->has_class(cls)))
      out.push_back(child.get());
    collect(*child, name, cls, out);
  }
}

}  // namespace

std::string Element::attr(const std::string& key) const {
  auto it = attributes.find(key);
  return it == attributes.end() ? std::string() : it->second;
}

double Element::number(const std::string& key) const {
  std::string value = attr(key);
  if (value.empty()) return NAN;
  try {
    size_t used = 0;
    double v = std::stod(value, &used);
    return used == value.size() ? v : NAN;
  } catch (const std::exception&) {
    return NAN;
  }
}

bool Element::has_class(const std::string& cls) const {
  std::istringstream classes(attr("class"));
  std::string word;
  while (classes >> word)
    if (word == cls) return true;
  return false;
}

std::vector<const Element*> Element::all(const std::string& element_name) const {
  std::vector<const Element*> out;
  collect(*this, element_name, "", out);
  return out;
}

std::vector<const Element*> Element::with_class(const std::string& cls) const {
  std::vector<const Element*> out;
  collect(*this, "", cls, out);
  return out;
}

std::string Element::all_text() const {
  std::string out = text;
  for (const auto& child : children) out += child->all_text();
  return out;
}

std::unique_ptr<Element> parse_xml(const std::string& xml) {
  Builder builder;
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &builder);
  XML_SetElementHandler(parser, start, end);
  XML_SetCharacterDataHandler(parser, characters);
  if (XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR) {
    std::string message = std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
                          std::to_string(XML_GetCurrentLineNumber(parser));
    XML_ParserFree(parser);
    throw std::runtime_error("not well-formed XML: " + message);
  }
  XML_ParserFree(parser);
  return std::move(builder.root);
}

}  // namespace greentune::report::testing
