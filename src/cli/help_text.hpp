#pragma once
// What every --help shares: the program is `greentune` in usage lines whatever path started it
// (greentune-train, which `greentune` runs for training, included); every option's default is
// shown; and the help ends with two example command lines.
#include <CLI/CLI.hpp>
#include <string>

namespace greentune::cli {

inline constexpr const char* program_name = "greentune";

// Names the top-level app, gives it (and the subcommands added after this call) the help format,
// shown defaults and the failure message, and its own examples.
void configure_help(CLI::App& root);

// Ends `app`'s --help with "Examples:" and these two command lines (each `greentune ...`).
void set_examples(CLI::App& app, const std::string& first, const std::string& second);

}  // namespace greentune::cli
