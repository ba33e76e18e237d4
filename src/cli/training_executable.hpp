#pragma once
// `greentune` is built without LibTorch: loading LibTorch's ~290 shared libraries took 1.7-1.9 s
// on these machines, before main(), in every command. The commands that train run in a second
// executable, greentune-train, which has every command and links LibTorch: `greentune` replaces
// itself by it (execv) with its own arguments, so the process the user started (pid, signals,
// stdin, stdout, exit code) stays the same.
#include <filesystem>
#include <optional>
#include <string>

namespace greentune::cli {

inline constexpr const char* training_executable_name = "greentune-train";
// Where to find greentune-train instead of the usual places (tests, packagers).
inline constexpr const char* training_executable_variable = "GREENTUNE_TRAIN_EXECUTABLE";

// $GREENTUNE_TRAIN_EXECUTABLE when set, else greentune-train beside this executable (the build
// tree, or both installed in one folder), else ../libexec/greentune/ (`cmake --install`); only
// the variable when greentune was built without LibTorch. nullopt when none of them exists.
std::optional<std::filesystem::path> find_training_executable();

// Runs this process's command line in greentune-train. Returns only by throwing: an Error that
// says where greentune-train was looked for and how to build it.
[[noreturn]] void exec_training_executable();

// Whether `tune CONFIG` trains networks (objective "train") and so runs in greentune-train.
// Decided from the config (and the command line's objective, when it has one) without LibTorch.
bool study_trains(const std::filesystem::path& config,
                  const std::optional<std::string>& objective_override = std::nullopt);

// What CMake recorded about the LibTorch greentune-train is built against (a generated file).
struct TrainingBuild {
  bool with_torch;            // false: built with GREENTUNE_WITH_TORCH=OFF, no greentune-train
  const char* torch_version;  // e.g. "1.13.1"
  const char* torch_library;  // libtorch.so that greentune-train links
  const char* torch_cmake_dir;
  bool torch_has_cuda;  // LibTorch was built with CUDA (its torch_cuda target exists)
};
const TrainingBuild& training_build();

}  // namespace greentune::cli
