// train, experiment and sweep in `greentune` (only there: greentune-train has the real ones). They
// parse nothing: greentune-train gets the whole command line, --help included, so it alone says
// what the options are. The descriptions are greentune-train's (a CLI test compares both --help).
#include "cli/command.hpp"
#include "cli/training_executable.hpp"

namespace {

bool register_forwarder(const char* name, const char* description) {
  return greentune::cli::register_command(name, description, [](CLI::App& app) {
    app.prefix_command();  // every argument after the command's name is left unparsed
    app.set_help_flag();   // `greentune train --help` is greentune-train's help
    return greentune::cli::Runner([]() -> int { greentune::cli::exec_training_executable(); });
  });
}

const bool registered =
    register_forwarder(
        "train",
        "Train one of the paper's networks and report accuracy, time and energy per epoch") &&
    register_forwarder("experiment",
                       "Run (or continue) the studies of an experiment config, its sweep, then "
                       "write the report") &&
    register_forwarder(
        "sweep",
        "Run (or continue) only the [sweep] of an experiment config, then write the report");

}  // namespace
