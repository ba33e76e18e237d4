#pragma once
// The TOML settings of early stopping ([pruner]) and of energy budgets ([study] max_joules and
// max_trial_joules), and the pruner they make. Messages name the file, line and key and what was
// expected, as config.cpp's do.
//
//   [pruner]
//   kind = "asha"        # none | median | asha | hyperband (required)
//   min_step = 1         # first step at which a trial may be stopped (default 1)
//   max_step = 20        # the full length in steps; default: the train objective's epochs
//   reduction = 2        # asha/hyperband: keep the best 1/reduction at each rung (default: asha 2,
//                        # hyperband 3; default_reduction says why)
//   min_peers = 2        # asha/hyperband: other trials that must have reported at a rung before
//                        # it stops anything (default 2; asha_pruner.hpp says why)
//   warmup_trials = 5    # median: complete trials before anything is pruned (default 5)
//
// Keys a kind does not use are accepted and ignored, so switching `kind` needs no other edit.
#include <filesystem>
#include <memory>
#include <string>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "greentune/tune/budget.hpp"
#include "greentune/tune/pruner.hpp"

namespace greentune::tune {

enum class PrunerKind { none, median, asha, hyperband };
const char* to_string(PrunerKind kind);
PrunerKind pruner_kind_from_string(const std::string& text);  // InputError on anything else

// The reduction a kind gets when [pruner] gives none. asha: 2 (keep the better half at each rung).
// With 3 (Optuna's and the ASHA paper's usual figure) from step 1 of a short run, a study of a few
// dozen rounds finished so few trials (1, 6 and 10 of 30 in issue 9's bench, 9 epochs) that its
// best was 0.6 to 2.8 points below the unpruned study's; halving judges at more rungs and finishes
// more (docs/tuning.md has the figures). hyperband: 3, as Li et al. and Optuna (its brackets
// already hedge against stopping too early).
int default_reduction(PrunerKind kind);

struct PrunerConfig {
  PrunerKind kind = PrunerKind::none;
  int min_step = 1;
  int max_step = 0;   // 0: not given; the study fills it in (the train objective's epochs)
  int reduction = 3;  // parse_pruner_table and pruner_config_from_json use default_reduction
  int warmup_trials = 5;
  // 2 gave issue 9's bench (9 epochs, reduction 2) its accuracy back for a few percent more
  // epochs; docs/tuning.md has the figures.
  int min_peers = 2;
};

// `pruner` is the [pruner] table; `source` names the origin in messages (a file name, or
// "experiment.toml [studies.x]").
PrunerConfig parse_pruner_table(const toml::table& pruner, const std::string& source);
PrunerConfig parse_pruner_table(const toml::table& pruner, const std::filesystem::path& file);

// Reads max_joules and max_trial_joules from the [study] table (other keys are left to the
// caller), both optional, numbers > 0.
EnergyBudget parse_energy_budget(const toml::table& study, const std::string& source);

// InputError when the settings cannot make a pruner (hyperband without max_step, max_step below
// min_step, ...); `source` as above.
void validate_pruner_config(const PrunerConfig& config, const std::string& source);
std::unique_ptr<Pruner> make_pruner(const PrunerConfig& config);  // validates first

// For StudyInfo::config_json, and back (a stored study's settings).
nlohmann::json pruner_config_to_json(const PrunerConfig& config);
PrunerConfig pruner_config_from_json(const nlohmann::json& json);

}  // namespace greentune::tune
