#include "greentune/command/config.hpp"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/config.hpp"

namespace greentune::command {
namespace {

using ::testing::HasSubstr;

tune::SearchSpace space() {
  tune::SearchSpace s;
  s.params.push_back({"lr", tune::ParamType::real, 1e-4, 1e-1, true, 0, {}});
  s.params.push_back({"batch_size", tune::ParamType::integer, 16, 256, false, 1, {}});
  s.params.push_back({"act", tune::ParamType::categorical, 0, 1, false, 0, {"relu", "tanh"}});
  return s;
}

toml::table toml_of(std::string_view text, std::string_view source) {
  return toml::parse(text, source);
}

CommandConfig parse(const std::string& text) {
  auto table = toml_of(text, "study.toml");
  return parse_command_config(*table["command"].as_table(), "study.toml", space());
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(CommandConfig, ReadsEveryKey) {
  auto config = parse(R"(
[command]
argv = ["python3", "train.py", "--lr={lr}", "--bs={batch_size}", "--out={trial_dir}/m.pt"]
metrics = ["accuracy", "joules"]
step = "epoch"
timeout_seconds = 90
grace_seconds = 2.5
workdir = "src"
trials_dir = "/tmp/t"
env = { OMP_NUM_THREADS = "1", ACT = "{act}" }
)");
  EXPECT_EQ(config.argv.size(), 5u);
  EXPECT_EQ(config.metrics, (std::vector<std::string>{"accuracy", "joules"}));
  EXPECT_EQ(config.step_key, "epoch");
  EXPECT_DOUBLE_EQ(config.timeout_seconds, 90);
  EXPECT_DOUBLE_EQ(config.grace_seconds, 2.5);
  EXPECT_EQ(config.workdir, "src");
  EXPECT_EQ(config.trials_dir, "/tmp/t");
  ASSERT_EQ(config.env.size(), 2u);
  EXPECT_TRUE(is_reserved_metric("joules"));
  EXPECT_FALSE(is_reserved_metric("accuracy"));
}

TEST(CommandConfig, DefaultsLeaveTheOptionalKeysEmpty) {
  auto config = parse("[command]\nargv = [\"./run\"]\nmetric = \"loss\"\n");
  EXPECT_EQ(config.metrics, std::vector<std::string>{"loss"});
  EXPECT_EQ(config.step_key, "");
  EXPECT_EQ(config.timeout_seconds, 0);
  EXPECT_EQ(config.grace_seconds, 10);
}

TEST(CommandConfig, ErrorsNameFileLineKeyAndExpectation) {
  EXPECT_THAT(error_of("[command]\nargv = [\"x\", \"--lr={lrr}\"]\nmetric = \"a\"\n"),
              HasSubstr("study.toml:2: command.argv[1]: unknown placeholder {lrr} (known: lr, "
                        "batch_size, act, study, trial_dir, trial_number)"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\nmetric = \"a\"\ntimeout = 3\n"),
              HasSubstr("study.toml:4: command.timeout: unknown key"));
  EXPECT_THAT(error_of("[command]\nmetric = \"a\"\n"), HasSubstr("command.argv: missing"));
  EXPECT_THAT(error_of("[command]\nargv = \"python3 x.py\"\nmetric = \"a\"\n"),
              HasSubstr("study.toml:2: command.argv: expected an array of strings"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\", 3]\nmetric = \"a\"\n"),
              HasSubstr("study.toml:2: command.argv[1]: expected a string"));
  EXPECT_THAT(error_of("[command]\nargv = []\nmetric = \"a\"\n"),
              HasSubstr("command.argv: expected a non-empty array"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\n"), HasSubstr("command.metric: missing"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\nmetric = \"a\"\nmetrics = [\"b\"]\n"),
              HasSubstr("give metric or metrics, not both"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\nmetrics = [\"a\", \"a\"]\n"),
              HasSubstr("metric \"a\" is given twice"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\nmetric = \"a\"\nstep = \"a\"\n"),
              HasSubstr("study.toml:4: command.step: expected the step counter's key"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\nmetric = \"a\"\ntimeout_seconds = -1\n"),
              HasSubstr("study.toml:4: command.timeout_seconds: expected a number of seconds > 0"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\nmetric = \"a\"\ngrace_seconds = \"5\"\n"),
              HasSubstr("command.grace_seconds: expected a number of seconds >= 0"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\nmetric = \"a\"\n[command.env]\nGREENTUNE_X = "
                       "\"1\"\n"),
              HasSubstr("study.toml:5: command.env.GREENTUNE_X: set by greentune"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\nmetric = \"a\"\nenv = { \"A B\" = \"1\" }\n"),
              HasSubstr("command.env.A B: expected a variable name"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\"]\nmetric = \"a\"\nenv = { A = \"{nope}\" }\n"),
              HasSubstr("command.env.A: unknown placeholder {nope}"));
  EXPECT_THAT(error_of("[command]\nargv = [\"x\", \"{lr\"]\nmetric = \"a\"\n"),
              HasSubstr("command.argv[1]: '{' at position 1 is not closed"));
}

TEST(CommandConfig, RefusesParametersWhoseVariablesWouldCollide) {
  tune::SearchSpace s;
  s.params.push_back({"lr-max", tune::ParamType::real, 0, 1, false, 0, {}});
  s.params.push_back({"lr_max", tune::ParamType::real, 0, 1, false, 0, {}});
  auto table = toml_of("[command]\nargv = [\"x\"]\nmetric = \"a\"\n", "s.toml");
  try {
    parse_command_config(*table["command"].as_table(), "s.toml", s);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("GREENTUNE_PARAM_LR_MAX"));
  }
}

// The study parser keeps the [command] table; its copy has no line numbers (toml++ copies drop
// them), so the file is read again for messages that name the line.
TEST(CommandConfig, StudyConfigKeepsTheCommandTableAndTheFileGivesItsLines) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("greentune-command-config-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << R"([study]
name = "s"
objective = "command"
[space]
lr = { type = "float", low = 0.001, high = 0.1 }
[command]
argv = ["x", "{bad}"]
metric = "a"
)";
  const auto study = tune::parse_study_config(file);
  EXPECT_EQ(study.objective, "command");
  try {
    parse_command_config(study.command, file.string(), study.space);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(": command.argv[1]: unknown placeholder {bad}"));
  }
  try {
    parse_command_config_file(file, study.space);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string() + ":7: command.argv[1]: unknown placeholder"));
  }
  std::filesystem::remove(file);
  auto without = toml_of(
      "[study]\nname = \"s\"\nobjective = \"command\"\n[space]\nlr = { "
      "type = \"float\", low = 0.001, high = 0.1 }\n",
      "study.toml");
  EXPECT_THROW(tune::parse_study_config(without, "study.toml"), InputError);
}

}  // namespace
}  // namespace greentune::command
