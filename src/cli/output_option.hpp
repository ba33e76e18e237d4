#pragma once
// --json[=FILE] and --csv[=FILE], one convention in every command: alone, the option prints the
// result on stdout; with =FILE it writes the result to FILE, whole or not at all
// (write_file_atomically), and the command prints what it prints without the option. The file is
// attached with `=` so that `--json` can never swallow the word after it (a study name, a config,
// the measured command).
#include <CLI/CLI.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greentune::cli {

struct OutputTarget {
  std::string where;  // "": not asked for; "-": stdout; anything else: a file
  bool requested() const { return !where.empty(); }
  bool to_stdout() const { return where == "-"; }
};

// Adds `name` ("--json" or "--csv") to `app`, shown as `--json[=FILE]`; `description` says what
// is printed on stdout (the helper adds how to write it to a file instead).
CLI::Option* add_output_option(CLI::App& app, const std::string& name, OutputTarget& target,
                               const std::string& description);

// Before a command runs: checks the folders of the files (check_result_path), so hours of work
// are never lost to a typo; refuses two results on stdout; and, when a result goes to stdout,
// sends everything else this process and the programs it starts print to stderr from here on,
// so stdout carries only the result. Call it after any re-exec of the process.
void prepare_outputs(std::initializer_list<const OutputTarget*> targets);

// Writes `content` where `target` says: stdout (the one prepare_outputs kept) or the file.
void write_output(const OutputTarget& target, std::string_view content);

// The word after a bare --json or --csv (before `--`), when it is not an option: the old
// `--json FILE` form, which now reads that word as something else (an extra argument, or the
// measured command). nullopt when there is none.
std::optional<std::string> detached_output_value(const std::vector<std::string>& arguments);

// The message for such a word: how to write it now.
std::string detached_output_hint(const std::string& word);

}  // namespace greentune::cli
