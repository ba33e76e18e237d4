#pragma once
// The [command] table of a study: which program a trial runs and how its report lines are read.
//
//   [command]
//   argv = ["python3", "train.py", "--lr={lr}"]   # {name}: the trial's value of parameter `name`
//   metric = "accuracy"            # or metrics = ["accuracy", "joules"]
//   step = "epoch"                 # optional: the step counter's key in report lines
//   timeout_seconds = 3600         # optional: a trial running longer is stopped and failed
//   workdir = "."                  # optional; relative to the study config's folder
//   grace_seconds = 10             # SIGTERM, then SIGKILL this much later
//   trials_dir = "trials"          # optional: where each trial's scratch folder is made
//   [command.env]                  # optional; values may hold placeholders too
//   OMP_NUM_THREADS = "1"
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "greentune/tune/space.hpp"

namespace greentune::command {

struct CommandConfig {
  std::vector<std::string> argv;  // templates (see placeholders.hpp)
  // The objectives, in the study's order. `joules` and `seconds` are greentune's own measurement
  // of the trial, not read from the program.
  std::vector<std::string> metrics;
  std::string step_key;        // "": reports are numbered 1, 2, ... in the order printed
  double timeout_seconds = 0;  // 0: no limit
  std::string workdir;         // "": the study config's folder
  std::vector<std::pair<std::string, std::string>> env;  // name, value template
  double grace_seconds = 10;
  std::string trials_dir;  // "": "trials" in the study config's folder
};

// `joules` and `seconds`: measured by greentune, never read from the program's lines.
bool is_reserved_metric(const std::string& name);

// Validates the table against the study's space: unknown keys, wrong types, unknown placeholders
// and colliding environment names are InputErrors naming the file, line and key.
CommandConfig parse_command_config(const toml::table& table, const std::string& source,
                                   const tune::SearchSpace& space);
// The [command] table of a study config file, read again from the file: tune::StudyConfig keeps a
// copy of the table, and toml++ copies lose the line numbers that messages give.
CommandConfig parse_command_config_file(const std::filesystem::path& study_file,
                                        const tune::SearchSpace& space);

}  // namespace greentune::command
