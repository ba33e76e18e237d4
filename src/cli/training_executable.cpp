#include "cli/training_executable.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cli/command.hpp"
#include "greentune/common/error.hpp"
#include "greentune/common/openmp_spin.hpp"
#include "greentune/tune/config.hpp"

namespace greentune::cli {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> candidate_paths() {
  if (const char* given = std::getenv(training_executable_variable); given && *given) {
    return {given};
  }
  // Not a greentune-train left in the build folder by an earlier configuration with LibTorch.
  if (!training_build().with_torch) return {};
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) return {};
  const fs::path bin = self.parent_path();
  return {bin / training_executable_name,
          bin.parent_path() / "libexec" / "greentune" / training_executable_name};
}

std::string missing_message(const std::vector<fs::path>& tried) {
  const std::string intro = fmt::format(
      "this command trains networks, which {} does (greentune itself never loads LibTorch)",
      training_executable_name);
  if (const char* given = std::getenv(training_executable_variable); given && *given) {
    return fmt::format("{}; {}={} is not an executable file", intro, training_executable_variable,
                       given);
  }
  if (!training_build().with_torch) {
    return intro +
           "; this greentune was built without LibTorch (GREENTUNE_WITH_TORCH=OFF): install "
           "LibTorch (Debian: apt-get install libtorch-dev; with CUDA: docs/building.md), "
           "configure again with -DGREENTUNE_WITH_TORCH=ON and build the target greentune_cli";
  }
  std::string places;
  for (const auto& path : tried) places += (places.empty() ? "" : " or ") + path.string();
  if (places.empty()) places = "anywhere (/proc/self/exe is unreadable)";
  return fmt::format(
      "{}; it is not at {}: build it (cmake --build BUILD --target greentune_cli, or `make run`; "
      "`cmake --install` puts it in libexec/greentune/), or set {} to its path",
      intro, places, training_executable_variable);
}

}  // namespace

std::optional<fs::path> find_training_executable() {
  for (const auto& path : candidate_paths()) {
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return std::nullopt;
}

void exec_training_executable() {
  const auto tried = candidate_paths();
  const auto executable = find_training_executable();
  if (!executable) throw Error(missing_message(tried));
  std::vector<std::string> arguments = process_arguments();
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  set_short_openmp_spin();
  std::fflush(nullptr);
  ::execv(executable->c_str(), argv.data());
  throw Error(fmt::format("cannot run {}: {}", executable->string(), std::strerror(errno)));
}

bool study_trains(const fs::path& config, const std::optional<std::string>& objective_override) {
  const std::string objective =
      objective_override ? *objective_override : tune::parse_study_config(config).objective;
  return objective == "train";
}

}  // namespace greentune::cli
