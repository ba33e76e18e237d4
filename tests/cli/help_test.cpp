// End-to-end: what every --help shares (issue 12): the usage line names `greentune` whatever path
// ran it, every option a help mentions is one that command has, defaults are shown, and the help
// ends with two examples of that command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_test_support.hpp"

namespace {

using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using ::testing::HasSubstr;

std::vector<std::string> nonempty_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(' ') != std::string::npos) out.push_back(line);
  }
  return out;
}

// The names in a help's "Subcommands:" section ("  name   description").
std::vector<std::string> subcommands_in(const std::string& help) {
  std::vector<std::string> names;
  bool in_section = false;
  for (const auto& line : nonempty_lines(help)) {
    if (line == "Subcommands:") {
      in_section = true;
    } else if (in_section && line.starts_with("  ") && line[2] != ' ') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (in_section && !line.starts_with(" ")) {
      in_section = false;
    }
  }
  return names;
}

class HelpCli : public CliTest {
 protected:
  HelpCli() : CliTest("help") {}

  // `greentune <command> --help`, checked to succeed; run once per test program (the training
  // commands' help loads LibTorch in greentune-train).
  std::string help_of(const std::string& command) {
    static std::map<std::string, std::string> seen;
    if (auto it = seen.find(command); it != seen.end()) return it->second;
    CliRun run = run_cli(command + (command.empty() ? "" : " ") + "--help", "help");
    EXPECT_EQ(run.exit_code, 0) << command << ": " << run.err;
    if (run.exit_code == 0) seen[command] = run.out;
    return run.out;
  }

  // Every command and nested command, as "data fetch" for nested ones.
  std::vector<std::string> every_command() {
    std::vector<std::string> all;
    for (const auto& name : subcommands_in(help_of(""))) {
      all.push_back(name);
      for (const auto& nested : subcommands_in(help_of(name))) all.push_back(name + " " + nested);
    }
    return all;
  }

  static bool runs_in_training_executable(const std::string& command) {
    return command == "train" || command == "experiment" || command == "sweep";
  }

  static bool training_built() {
#ifdef GREENTUNE_TRAIN_CLI
    return true;
#else
    return false;
#endif
  }
};

TEST_F(HelpCli, TheCommandListIsComplete) {
  const auto all = every_command();
  for (const char* expected :
       {"data", "data fetch", "data show", "experiment", "info", "measure", "meters", "pareto",
        "report", "studies", "sweep", "train", "trials", "tune"}) {
    EXPECT_THAT(all, ::testing::Contains(std::string(expected)));
  }
}

TEST_F(HelpCli, EveryHelpStartsItsUsageWithGreentuneAndEndsWithTwoExamples) {
  std::vector<std::string> all = every_command();
  all.insert(all.begin(), "");  // `greentune --help` itself
  for (const auto& command : all) {
    if (runs_in_training_executable(command) && !training_built()) continue;
    SCOPED_TRACE("greentune " + command + " --help");
    const std::string help = help_of(command);
    const std::string program = command.empty() ? "greentune" : "greentune " + command;
    EXPECT_THAT(help, HasSubstr("\nUsage: " + program + " ")) << help;
    const auto lines = nonempty_lines(help);
    ASSERT_GE(lines.size(), 3u) << help;
    const size_t n = lines.size();
    EXPECT_EQ(lines[n - 3], "Examples:") << help;
    // An example of this command (the top level's are some command's).
    const auto example = ::testing::AnyOf(::testing::Eq("  " + program),
                                          ::testing::StartsWith("  " + program + " "));
    EXPECT_THAT(lines[n - 2], example);
    EXPECT_THAT(lines[n - 1], example);
    EXPECT_NE(lines[n - 2], lines[n - 1]);
  }
}

TEST_F(HelpCli, UsageSaysGreentuneWhicheverPathRanIt) {
  // Through a symbolic link with another name, and (for training) greentune-train itself.
  std::filesystem::create_symlink(GREENTUNE_CLI, dir_ / "gt-link");
  const std::string command = "cd " + dir_.string() + " && ./gt-link meters --help > link.out";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_THAT(greentune::cli_testing::slurp(dir_ / "link.out"),
              HasSubstr("Usage: greentune meters [OPTIONS]"));
#ifdef GREENTUNE_TRAIN_CLI
  const std::string train =
      "cd " + dir_.string() + " && " + GREENTUNE_TRAIN_CLI + " train --help > train.out";
  ASSERT_EQ(std::system(train.c_str()), 0);
  EXPECT_THAT(greentune::cli_testing::slurp(dir_ / "train.out"),
              HasSubstr("Usage: greentune train [OPTIONS]"));
#endif
}

TEST_F(HelpCli, EveryOptionAHelpMentionsIsOneThatCommandHas) {
  // `report --help` once promised options it did not have; a help names only its own.
  const std::regex declared(R"(^  (?:-\w,)?(--[a-z0-9-]+))");
  const std::regex mentioned(R"((^|[^\w-])(--[a-z][a-z0-9-]*))");
  for (const auto& command : every_command()) {
    if (runs_in_training_executable(command) && !training_built()) continue;
    SCOPED_TRACE("greentune " + command + " --help");
    const std::string help = help_of(command);
    std::set<std::string> has;
    for (const auto& line : nonempty_lines(help)) {
      std::smatch match;
      if (std::regex_search(line, match, declared)) has.insert(match[1]);
    }
    ASSERT_FALSE(has.empty()) << help;
    for (std::sregex_iterator it(help.begin(), help.end(), mentioned), end; it != end; ++it) {
      EXPECT_TRUE(has.count((*it)[2])) << (*it)[2] << " is not an option of " << command;
    }
  }
}

TEST_F(HelpCli, DefaultsAreShown) {
  EXPECT_THAT(help_of("measure"), HasSubstr("-r,--runs INT=1 "));
  EXPECT_THAT(help_of("measure"), HasSubstr("--interval FLOAT=100 "));
  EXPECT_THAT(help_of("studies"), HasSubstr("--storage TEXT=sqlite:greentune.db"));
  EXPECT_THAT(help_of("tune"), HasSubstr("--workers INT:INT in [1 - 1024]=1"));
  EXPECT_THAT(help_of("report"), HasSubstr("-o,--out TEXT=report "));
  EXPECT_THAT(help_of("data show"), HasSubstr("--seed UINT=1234 "));
  EXPECT_THAT(help_of("measure"), ::testing::Not(HasSubstr("=[]"))) << "no empty list default";
}

TEST_F(HelpCli, JsonAndCsvShowTheirAttachedFile) {
  const std::string measure = help_of("measure");
  EXPECT_THAT(measure, HasSubstr("  --json[=FILE] "));
  EXPECT_THAT(measure, HasSubstr("  --csv[=FILE] "));
  EXPECT_THAT(measure, HasSubstr("--json=FILE writes it to FILE instead"));
  EXPECT_THAT(measure, ::testing::Not(HasSubstr("{-}")));
}

}  // namespace
