#include "cli/cli_test_support.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace greentune::cli_testing {

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

CliRun run_cli(const std::filesystem::path& dir, const std::string& arguments,
               const std::string& tag) {
  const auto out = dir / (tag.empty() ? "out" : tag + ".out");
  const auto err = dir / (tag.empty() ? "err" : tag + ".err");
  const std::string command = "cd " + dir.string() + " && " + GREENTUNE_CLI + " " + arguments +
                              " >" + out.string() + " 2>" + err.string() + " </dev/null";
  const int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(out);
  run.err = slurp(err);
  return run;
}

pid_t start_cli(const std::filesystem::path& dir, const std::vector<std::string>& arguments,
                const std::string& tag) {
  std::vector<char*> argv;
  std::string program = GREENTUNE_CLI;
  argv.push_back(program.data());
  std::vector<std::string> words = arguments;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, (dir / (tag + ".out")).c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, (dir / (tag + ".err")).c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, GREENTUNE_CLI, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot start " << GREENTUNE_CLI;
  return rc == 0 ? pid : -1;
}

void CliTest::SetUp() {
  dir_ = std::filesystem::temp_directory_path() /
         ("greentune-cli-" + room_ + "-" + std::to_string(::getpid()) + "-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

void CliTest::TearDown() {
  std::filesystem::remove_all(dir_);
}

}  // namespace greentune::cli_testing
