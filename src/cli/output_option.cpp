#include "cli/output_option.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "greentune/common/atomic_file.hpp"
#include "greentune/common/error.hpp"

namespace greentune::cli {
namespace {

int& kept_stdout() {
  static int descriptor = -1;  // the real stdout once prepare_outputs moved fd 1 to stderr
  return descriptor;
}

bool is_output_flag(const std::string& word) {
  return word == "--json" || word == "--csv";
}

}  // namespace

CLI::Option* add_output_option(CLI::App& app, const std::string& name, OutputTarget& target,
                               const std::string& description) {
  // A flag whose bare form means "-" (stdout); CLI11 gives a flag the value of `--name=VALUE`.
  return app
      .add_flag(name + "{-}", target.where,
                fmt::format("{}; {}=FILE writes it to FILE instead", description, name))
      ->option_text("[=FILE]");
}

void prepare_outputs(std::initializer_list<const OutputTarget*> targets) {
  int on_stdout = 0;
  for (const OutputTarget* target : targets) {
    if (!target->requested()) continue;
    if (target->to_stdout()) {
      ++on_stdout;
    } else {
      check_result_path(target->where);
    }
  }
  if (on_stdout > 1) {
    throw InputError(
        "--json and --csv cannot both print on stdout: give one of them a file "
        "(--csv=FILE or --json=FILE)");
  }
  if (on_stdout == 0 || kept_stdout() >= 0) return;
  std::fflush(stdout);
  const int kept = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (kept < 0) throw IoError(fmt::format("stdout: cannot keep it: {}", std::strerror(errno)));
  if (::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    throw IoError(fmt::format("stdout: cannot send text to stderr: {}", std::strerror(errno)));
  }
  kept_stdout() = kept;
}

void write_output(const OutputTarget& target, std::string_view content) {
  if (!target.requested()) return;
  if (!target.to_stdout()) {
    write_file_atomically(target.where, content);
    return;
  }
  std::fflush(stdout);
  const int descriptor = kept_stdout() >= 0 ? kept_stdout() : STDOUT_FILENO;
  write_file_atomically(fmt::format("/dev/fd/{}", descriptor), content);
}

std::optional<std::string> detached_output_value(const std::vector<std::string>& arguments) {
  for (size_t i = 0; i + 1 < arguments.size(); ++i) {
    if (arguments[i] == "--") break;
    const std::string& next = arguments[i + 1];
    if (is_output_flag(arguments[i]) && !next.empty() && next[0] != '-') return next;
  }
  return std::nullopt;
}

std::string detached_output_hint(const std::string& word) {
  return fmt::format(
      "'{}' after --json or --csv: a file for these options is attached with '=' "
      "(--json={} or --csv={}); alone they print on stdout",
      word, word, word);
}

}  // namespace greentune::cli
