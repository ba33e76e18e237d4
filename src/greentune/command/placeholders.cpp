#include "greentune/command/placeholders.hpp"

#include <fmt/format.h>

#include <cctype>

#include "greentune/common/error.hpp"

namespace greentune::command {
namespace {

// Walks `text`, handing literal runs and placeholder names to the callbacks.
template <typename Literal, typename Placeholder>
void scan(const std::string& text, const std::string& what, Literal literal,
          Placeholder placeholder) {
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal("{");
      i += 2;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal("}");
      i += 2;
    } else if (c == '{') {
      const auto close = text.find('}', i + 1);
      if (close == std::string::npos) {
        throw InputError(fmt::format(
            "{}: '{{' at position {} is not closed; write {{{{ for a literal brace", what, i + 1));
      }
      std::string name = text.substr(i + 1, close - i - 1);
      if (name.empty() || name.find('{') != std::string::npos) {
        throw InputError(fmt::format(
            "{}: '{}' is not a placeholder; expected {{name}}, or {{{{ for a literal brace", what,
            text.substr(i, close - i + 1)));
      }
      placeholder(name);
      i = close + 1;
    } else {
      const auto next = text.find_first_of("{}", i + 1);
      const auto end = next == std::string::npos ? text.size() : next;
      literal(std::string_view(text).substr(i, end - i));
      i = end;
    }
  }
}

}  // namespace

std::vector<std::string> placeholder_names(const std::string& text, const std::string& what) {
  std::vector<std::string> names;
  scan(
      text, what, [](std::string_view) {}, [&](const std::string& name) { names.push_back(name); });
  return names;
}

std::string expand(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  scan(
      text, "'" + text + "'", [&](std::string_view literal) { out += literal; },
      [&](const std::string& name) {
        auto it = values.find(name);
        if (it == values.end()) {
          throw InputError(fmt::format("'{}': no value for placeholder {{{}}}", text, name));
        }
        out += it->second;
      });
  return out;
}

std::string value_text(const tune::ParamValue& value) {
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  return std::get<std::string>(value);
}

std::string param_env_name(const std::string& param) {
  std::string out = "GREENTUNE_PARAM_";
  for (unsigned char c : param) {
    out += std::isalnum(c) && c < 128 ? static_cast<char>(std::toupper(c)) : '_';
  }
  return out;
}

}  // namespace greentune::command
