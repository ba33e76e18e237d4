#pragma once
// A study as configured in TOML: [study] (+ [study.sampler] or [sampler]), [space], [train] or
// [command], [constraints], [pruner] (pruner_config.hpp; with [study] max_joules and
// max_trial_joules).
#include <cstdint>
#include <filesystem>
#include <string>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "greentune/tune/budget.hpp"
#include "greentune/tune/pruner_config.hpp"
#include "greentune/tune/samplers.hpp"
#include "greentune/tune/space.hpp"
#include "greentune/tune/study_objectives.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

// The most rounds one study may aim for (study.rounds, --rounds).
inline constexpr int kMaxRounds = 10000000;

struct StudyConfig {
  std::string name;
  std::string storage = "sqlite:greentune.db";
  std::string strategy = "bayes";   // grid | random | sobol | halton | bayes
  std::string objective = "train";  // train | command | branin | hartmann6
  int rounds = 20;
  uint64_t seed = 1234;
  Direction direction = Direction::maximize;  // the first objective's (objectives.directions[0])
  StudyObjectives objectives;                 // directions, metrics, [constraints], reference point
  double tolerance = 0.005;  // optimum round: first round within this of the final best
  SearchSpace space;
  SamplerOptions sampler;
  // Early stopping; for the train objective max_step defaults to its epochs (the space's
  // largest `epochs` when tuned, else train.epochs).
  PrunerConfig pruner;
  EnergyBudget budget;  // [study] max_joules, max_trial_joules
  nlohmann::json train =
      nlohmann::json::object();  // the [train] table, read by the train objective
  // The [command] table as written, read by the command objective (command/config.hpp, which
  // reads the file again for line numbers: copies of toml++ nodes drop them); empty when absent.
  toml::table command;
};

// Throws InputError naming the file, key (and line where known) and what was expected.
StudyConfig parse_study_config(const std::filesystem::path& toml_file);
// `source` names the origin in messages (a file name, or "experiment.toml [studies.x]").
StudyConfig parse_study_config(const toml::table& table, const std::string& source);

// Validates one space table ([space]); `source` as above.
SearchSpace parse_space(const toml::table& space_table, const std::string& source);

Direction direction_from_string(const std::string& text);  // "maximize" | "minimize"
const char* to_string(Direction direction);

// Lossless round trip, stored with the study so a changed space can be refused.
nlohmann::json space_to_json(const SearchSpace& space);
SearchSpace space_from_json(const nlohmann::json& json);
// Parameters' JSON form is the trial record's: params_to_json / params_from_json in trial.hpp.
// Everything but the space, for StudyInfo::config_json.
nlohmann::json config_to_json(const StudyConfig& config);

}  // namespace greentune::tune
