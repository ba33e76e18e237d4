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
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
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

// For integer flags: a decimal whole number in [low, high], or the message "expected ...". CLI11's
// own conversion wraps "-1" into 2^64 - 1 for unsigned options and reads "010" as octal; this
// refuses the first and hands the conversion plain decimal text.
inline CLI::Validator whole_number(int64_t low, int64_t high, std::string hint = "") {
  return CLI::Validator(
      [=](std::string& input) -> std::string {
        int64_t value = 0;
        const char* end = input.data() + input.size();
        auto [stop, error] = std::from_chars(input.data(), end, value);
        if (error == std::errc() && stop == end && value >= low && value <= high) {
          input = std::to_string(value);
          return {};
        }
        return fmt::format("expected a whole number from {} to {}, got {}{}", low, high, input,
                           hint.empty() ? "" : "; " + hint);
      },
      fmt::format("INT in [{} - {}]", low, high));
}

}  // namespace greentune::cli
