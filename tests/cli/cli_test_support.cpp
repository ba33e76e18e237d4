#include "cli/cli_test_support.hpp"

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
