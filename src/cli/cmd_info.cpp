// `greentune info`: the machine and runtime that figures are measured on. `greentune` answers
// without loading LibTorch (what CMake recorded about greentune-train's); `info --torch`, and
// greentune-train itself, load it and say what was loaded: BLAS, allocator, LibTorch, CUDA.
#include <fmt/format.h>
#include <link.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "cli/training_executable.hpp"
#include "greentune/system/machine.hpp"
#if GREENTUNE_HAS_TORCH
#include "greentune/nn/runtime.hpp"
#endif

namespace {

using namespace greentune;

struct InfoOptions {
  bool torch = false;
};

#if GREENTUNE_HAS_TORCH
// The LibTorch libraries this process has mapped, as the dynamic loader found them.
std::vector<std::string> mapped_torch_libraries() {
  std::vector<std::string> found;
  dl_iterate_phdr(
      [](dl_phdr_info* library, size_t, void* data) {
        const std::string path = library->dlpi_name ? library->dlpi_name : "";
        const std::string name = std::filesystem::path(path).filename().string();
        if (name.starts_with("libtorch") || name.starts_with("libc10")) {
          static_cast<std::vector<std::string>*>(data)->push_back(path);
        }
        return 0;
      },
      &found);
  return found;
}

void print_training_runtime() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  fmt::print("training    this executable, {}\n", error ? "?" : self.string());
  std::string libraries;
  for (const auto& path : mapped_torch_libraries()) {
    libraries += (libraries.empty() ? "" : "\n            ") + path;
  }
  fmt::print("libtorch    {} (CUDA {})\n            {}\n", nn::torch_version(),
             nn::cuda_available() ? "available" : "not available", libraries);
}
#else
void print_training_build() {
  const auto& build = cli::training_build();
  if (!build.with_torch) {
    fmt::print(
        "training    not built (GREENTUNE_WITH_TORCH=OFF): train, experiment and sweep "
        "are unavailable\n");
    return;
  }
  const auto executable = cli::find_training_executable();
  fmt::print("training    {}\n", executable ? executable->string()
                                            : fmt::format("{} NOT FOUND (build it, or set {})",
                                                          cli::training_executable_name,
                                                          cli::training_executable_variable));
  fmt::print("libtorch    {} built {}, {} (as built; `greentune info --torch` loads it)\n",
             build.torch_version, build.torch_has_cuda ? "with CUDA" : "for CPU only",
             build.torch_library);
}
#endif

// greentune-train accepts --torch too (it has LibTorch loaded already), so that `greentune info
// --torch` can run it with the same arguments.
int run_info([[maybe_unused]] const InfoOptions& options) {
#if !GREENTUNE_HAS_TORCH
  if (options.torch) cli::exec_training_executable();
#endif
  auto machine = system::describe_machine();
  fmt::print("greentune {}\n", GREENTUNE_VERSION);
  fmt::print("host        {}\n", machine.hostname);
  fmt::print("cpu         {} ({} usable logical CPUs, {} package(s))\n",
             machine.cpu_model.empty() ? "unknown" : machine.cpu_model, machine.logical_cpus,
             machine.cpu_packages);
  fmt::print("kernel      {}\n", machine.kernel);
#if GREENTUNE_HAS_TORCH
  fmt::print("blas        {}\n", machine.blas);
  fmt::print("allocator   {}\n", machine.allocator);
  print_training_runtime();
#else
  print_training_build();
#endif
  return 0;
}

const bool registered = cli::register_command(
    "info", "Show the machine, BLAS, allocator and LibTorch that figures are measured with",
    [](CLI::App& app) {
      auto options = std::make_shared<InfoOptions>();
      app.add_flag("--torch", options->torch,
                   "Load LibTorch (in greentune-train, ~2 s) and show the BLAS, allocator, "
                   "LibTorch and CUDA that training runs with");
      cli::set_examples(app, "greentune info", "greentune info --torch");
      return cli::Runner([options] { return run_info(*options); });
    });

}  // namespace
