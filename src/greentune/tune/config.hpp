#pragma once
// A study as configured in TOML: [study] (+ [study.sampler] or [sampler]), [space], [train],
// [constraints].
#include <cstdint>
#include <filesystem>
#include <string>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "greentune/tune/samplers.hpp"
#include "greentune/tune/space.hpp"
#include "greentune/tune/study_objectives.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

struct StudyConfig {
  std::string name;
  std::string storage = "sqlite:greentune.db";
  std::string strategy = "bayes";   // grid | random | sobol | halton | bayes
  std::string objective = "train";  // train | branin | hartmann6
  int rounds = 20;
  uint64_t seed = 1234;
  Direction direction = Direction::maximize;  // the first objective's (objectives.directions[0])
  StudyObjectives objectives;                 // directions, metrics, [constraints], reference point
  double tolerance = 0.005;  // optimum round: first round within this of the final best
  SearchSpace space;
  SamplerOptions sampler;
  nlohmann::json train =
      nlohmann::json::object();  // the [train] table, read by the train objective
};

// Throws InputError naming the file, key (and line where known) and what was expected.
StudyConfig parse_study_config(const std::filesystem::path& toml_file);
// `source` names the origin in messages (a file name, or "experiment.toml [studies.x]").
StudyConfig parse_study_config(const toml::table& table, const std::string& source);

// Validates one space table ([space]); `source` as above.
SearchSpace parse_space(const toml::table& space_table, const std::string& source);
// Throws InputError naming the parameter on an invalid space (low >= high, log with low <= 0, ...).
void validate_space(const SearchSpace& space);

Direction direction_from_string(const std::string& text);  // "maximize" | "minimize"
const char* to_string(Direction direction);

// Lossless round trip, stored with the study so a changed space can be refused.
nlohmann::json space_to_json(const SearchSpace& space);
SearchSpace space_from_json(const nlohmann::json& json);
// Parameters' JSON form is the trial record's: params_to_json / params_from_json in trial.hpp.
// Everything but the space, for StudyInfo::config_json.
nlohmann::json config_to_json(const StudyConfig& config);

}  // namespace greentune::tune
