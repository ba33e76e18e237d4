#pragma once
// Parameters as stored: a JSON object whose number types keep the C++ types (2.0 stays a double,
// 2 an integer), so a trial reads back exactly as it was written without needing the space.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greentune/tune/space.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::store {

std::string encode_params(const tune::Params& params);
// `where` names the row in messages; InputError when the text is not a parameter object.
tune::Params decode_params(const std::string& text, const std::string& where);

std::string encode_values(const std::vector<double>& values);
std::vector<double> decode_values(const std::string& text, const std::string& where);

// A trial as the CLI and reports print it: number, state, value, params, seconds, joules, energy
// (domain, source, kind, joules), host, intermediate, attrs and times.
nlohmann::json trial_to_json(const tune::Trial& trial);

}  // namespace greentune::store
