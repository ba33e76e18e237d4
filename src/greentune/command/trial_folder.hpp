#pragma once
// Each trial's scratch folder, <trials dir>/<study>/<number>/, handed to the program as
// GREENTUNE_TRIAL_DIR and holding its log. The study name comes from a config or the command line,
// so it is made into one plain folder name; nothing a config says can put a trial folder outside
// the trials dir or into a folder reached through a symbolic link.
#include <filesystem>
#include <string>

namespace greentune::command {

// Letters, digits, '.', '-' and '_' kept, anything else '_'; no leading '.', never empty.
std::string folder_name_for(const std::string& study);

// Creates the trial's folder (<number>, or <number>.2, <number>.3, ... when a folder of that name
// is already there: a rerun never writes into an earlier run's files). IoError when it cannot.
std::filesystem::path make_trial_folder(const std::filesystem::path& trials_dir,
                                        const std::string& study, int number);

// `text` with every byte sequence that is not UTF-8 replaced by U+FFFD (stores keep JSON).
std::string valid_utf8(std::string_view text);

}  // namespace greentune::command
