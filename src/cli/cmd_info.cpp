// `greentune info`: the machine and runtime that figures are measured on.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "greentune/system/machine.hpp"

namespace {

int run_info() {
  auto machine = greentune::system::describe_machine();
  fmt::print("greentune {}\n", GREENTUNE_VERSION);
  fmt::print("host        {}\n", machine.hostname);
  fmt::print("cpu         {} ({} usable logical CPUs, {} package(s))\n",
             machine.cpu_model.empty() ? "unknown" : machine.cpu_model, machine.logical_cpus,
             machine.cpu_packages);
  fmt::print("kernel      {}\n", machine.kernel);
  fmt::print("blas        {}\n", machine.blas);
  fmt::print("allocator   {}\n", machine.allocator);
  return 0;
}

const bool registered = greentune::cli::register_command(
    "info", "Show the machine, BLAS and allocator that figures are measured with",
    [](CLI::App&) { return greentune::cli::Runner(run_info); });

}  // namespace
