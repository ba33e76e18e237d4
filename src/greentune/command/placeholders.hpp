#pragma once
// `{name}` placeholders in a command's arguments and environment values, as hyperfine and Python's
// str.format spell them: `{lr}` is the trial's value of parameter lr, also inside a larger argument
// (`--lr={lr}`); `{{` and `}}` are a literal brace. Besides the parameters, `{trial_number}`,
// `{trial_dir}` and `{study}` name the trial (a parameter of that name wins).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "greentune/tune/space.hpp"

namespace greentune::command {

inline const std::set<std::string>& trial_placeholders() {
  static const std::set<std::string> names = {"trial_number", "trial_dir", "study"};
  return names;
}

// The placeholder names in `text`, in order; InputError (naming `what`) on a `{` that is not
// closed or an empty `{}`.
std::vector<std::string> placeholder_names(const std::string& text, const std::string& what);
// `text` with every placeholder replaced from `values`; InputError on a name not in it.
std::string expand(const std::string& text, const std::map<std::string, std::string>& values);

// A parameter's value as a program receives it: floats in the shortest text that reads back to
// the same double (0.001, 1e-05), integers as integers, categoricals as their text.
std::string value_text(const tune::ParamValue& value);
// GREENTUNE_PARAM_<NAME>: the name upper-cased, every character but letters and digits made '_'.
std::string param_env_name(const std::string& param);

}  // namespace greentune::command
