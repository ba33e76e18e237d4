#include "cli/help_text.hpp"

#include <memory>

#include "cli/command.hpp"
#include "cli/output_option.hpp"

namespace greentune::cli {
namespace {

// CLI11's format, with three changes: `--json[=FILE]` (the value attached, and without the
// `{-}` that CLI11 shows for a flag's value when given bare), and no "=[]" default for lists.
class Formatter : public CLI::Formatter {
 public:
  std::string make_option_name(const CLI::Option* option, bool is_positional) const override {
    std::string name = CLI::Formatter::make_option_name(option, is_positional);
    if (attached_value(option)) {
      for (auto at = name.find("{-}"); at != std::string::npos; at = name.find("{-}")) {
        name.erase(at, 3);
      }
    }
    return name;
  }

  std::string make_option_opts(const CLI::Option* option) const override {
    if (attached_value(option)) return option->get_option_text();
    std::string opts = CLI::Formatter::make_option_opts(option);
    if (const auto at = opts.find("=[]"); at != std::string::npos) opts.erase(at, 3);
    return opts;
  }

 private:
  static bool attached_value(const CLI::Option* option) {
    return option->get_option_text().starts_with("[=");
  }
};

// CLI11's message, plus how to write a file now when `--json FILE` (the old form) left FILE over.
std::string failure_message(const CLI::App* app, const CLI::Error& error) {
  std::string message = CLI::FailureMessage::simple(app, error);
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    if (auto word = detached_output_value(process_arguments())) {
      message.insert(message.find('\n') + 1, detached_output_hint(*word) + "\n");
    }
  }
  return message;
}

}  // namespace

void configure_help(CLI::App& root) {
  root.name(program_name);
  root.formatter(std::make_shared<Formatter>());
  root.option_defaults()->always_capture_default();
  root.failure_message(failure_message);
  set_examples(root, "greentune meters", "greentune measure --json=energy.json -- sleep 1");
}

void set_examples(CLI::App& app, const std::string& first, const std::string& second) {
  app.footer("Examples:\n  " + first + "\n  " + second);
}

}  // namespace greentune::cli
