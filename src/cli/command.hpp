#pragma once
// Subcommands register themselves, one file each (cmd_<name>.cpp), so main.cpp never changes when
// one is added:
//
//   static const bool registered = greentune::cli::register_command(
//       "meters", "List energy sources", [](CLI::App& app) {
//         auto options = std::make_shared<MetersOptions>();
//         app.add_flag("--json", options->json, "...");
//         return [options] { return run_meters(*options); };   // runs after parsing
//       });
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace greentune::cli {

// Runs the parsed subcommand; returns the process exit code.
using Runner = std::function<int()>;
using Setup = std::function<Runner(CLI::App& subcommand)>;

struct Command {
  std::string name;
  std::string description;
  Setup setup;
};

bool register_command(std::string name, std::string description, Setup setup);
const std::vector<Command>& commands();

// Options every subcommand sees (set before the subcommand's runner is called).
struct GlobalOptions {
  bool verbose = false;
};
const GlobalOptions& global_options();

// This process's command line as main() received it, argv[0] included (to run it elsewhere).
const std::vector<std::string>& process_arguments();

}  // namespace greentune::cli
