// The greentune command line: parses, dispatches to one registered subcommand, and maps library
// errors to exit codes (2: bad input, 1: anything else failed) with a one-line message.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "greentune/common/error.hpp"

// jemalloc's decay purging returned freed tensor buffers to the kernel within seconds, so every
// batch faulted its activations back in: 5 s of system time in a 60k-image SimpleCNN epoch, and the
// epoch 1.5x slower. Never purging keeps them mapped (peak RSS is what the epoch needs anyway).
// Read by jemalloc at start-up; the CLI links jemalloc when it is installed.
extern "C" {
// NOLINTNEXTLINE: jemalloc looks this symbol up by name
const char* malloc_conf = "dirty_decay_ms:-1,muzzy_decay_ms:-1";
}

namespace greentune::cli {
namespace {

std::vector<Command>& registry() {
  static std::vector<Command> all;
  return all;
}

GlobalOptions& mutable_global_options() {
  static GlobalOptions options;
  return options;
}

std::vector<std::string>& mutable_process_arguments() {
  static std::vector<std::string> arguments;
  return arguments;
}

}  // namespace

bool register_command(std::string name, std::string description, Setup setup) {
  registry().push_back({std::move(name), std::move(description), std::move(setup)});
  return true;
}

const std::vector<Command>& commands() {
  return registry();
}
const GlobalOptions& global_options() {
  return mutable_global_options();
}
const std::vector<std::string>& process_arguments() {
  return mutable_process_arguments();
}

}  // namespace greentune::cli

int main(int argc, char** argv) {
  using namespace greentune::cli;
  mutable_process_arguments().assign(argv, argv + argc);
  CLI::App app{"greentune: measure the energy of deep-learning training, then cut it"};
  configure_help(app);  // before the subcommands, which inherit it
  app.set_version_flag("--version", std::string("greentune ") + GREENTUNE_VERSION);
  app.add_flag("-v,--verbose", mutable_global_options().verbose,
               "Print more detail, errors included");
  app.require_subcommand(1);

  std::vector<Command> sorted = commands();
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::map<CLI::App*, Runner> runners;
  for (const auto& command : sorted) {
    CLI::App* sub = app.add_subcommand(command.name, command.description);
    runners[sub] = command.setup(*sub);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A usage error is bad input: exit 2 like InputError, not CLI11's own codes (100+), so
    // scripts see one code for "fix your command line". --help and --version stay 0.
    return app.exit(e) == 0 ? 0 : 2;
  }
  spdlog::set_level(global_options().verbose ? spdlog::level::debug : spdlog::level::warn);
  spdlog::set_pattern("greentune: %v");

  for (auto& [sub, runner] : runners) {
    if (!sub->parsed()) continue;
    try {
      return runner();
    } catch (const greentune::InputError& e) {
      std::fprintf(stderr, "greentune %s: %s\n", sub->get_name().c_str(), e.what());
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "greentune %s: %s\n", sub->get_name().c_str(), e.what());
      return 1;
    }
  }
  return 0;
}
