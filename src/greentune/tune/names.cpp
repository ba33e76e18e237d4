#include "greentune/tune/names.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "greentune/common/error.hpp"

namespace greentune::tune {

std::string escaped(std::string_view text) {
  // The JSON encoder escapes control characters and replaces invalid UTF-8; its quotes go.
  std::string quoted = nlohmann::json(std::string(text))
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

void check_name(std::string_view name, std::string_view what) {
  if (name.empty()) throw InputError(fmt::format("{} is empty; expected a name", what));
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f)
      throw InputError(
          fmt::format("{} \"{}\": expected printable text, without control characters such as "
                      "NUL, tab or newline",
                      what, escaped(name)));
  }
  try {
    (void)nlohmann::json(std::string(name)).dump();  // throws on invalid UTF-8
  } catch (const nlohmann::json::type_error&) {
    throw InputError(fmt::format("{} \"{}\": expected UTF-8 text", what, escaped(name)));
  }
}

}  // namespace greentune::tune
