#pragma once
// Names that travel everywhere a study goes: terminal tables, CSV and JSON files, SQL text
// columns (PostgreSQL ends a text value at a NUL byte and refuses invalid UTF-8). One rule for
// study, group and parameter names, applied where they enter (configs, the C++ API, the stores).
#include <string>
#include <string_view>

namespace greentune::tune {

// InputError naming `what` (e.g. "study name") and the name, escaped, unless `name` is non-empty,
// valid UTF-8 and free of control characters (NUL, tab, newline, escape, DEL ...).
void check_name(std::string_view name, std::string_view what);

// `text` with control characters and invalid bytes written as escapes (\0, \n, \x1b), for
// messages that show a refused name.
std::string escaped(std::string_view text);

}  // namespace greentune::tune
