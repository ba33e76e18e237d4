#pragma once
// What every end-to-end CLI test needs: run the built `greentune` (GREENTUNE_CLI) in a folder and
// capture its exit code and output, read a file whole, and a fresh temp folder per test.
#include <gtest/gtest.h>

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace greentune::cli_testing {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// The whole file as bytes; "" when it cannot be read.
std::string slurp(const std::filesystem::path& file);

// Runs `greentune <arguments>` through the shell (so `arguments` is shell text, quoted as a user
// would) with `dir` as working folder and stdin closed. Stdout and stderr go to dir/<tag>.out and
// dir/<tag>.err (dir/out and dir/err without a tag), which stay for the test to read. exit_code is
// -1 when the shell did not exit normally.
CliRun run_cli(const std::filesystem::path& dir, const std::string& arguments,
               const std::string& tag = "");

// Starts `greentune <arguments...>` without waiting for it (for a test that signals it while it
// runs): working folder `dir`, stdin /dev/null, stdout and stderr to dir/<tag>.out and
// dir/<tag>.err. Returns its pid; the test waits for it. Fails the test (returns -1) when it cannot
// be started.
pid_t start_cli(const std::filesystem::path& dir, const std::vector<std::string>& arguments,
                const std::string& tag);

// A fixture with its own empty folder dir_, "<temp>/greentune-cli-<room>-<pid>-<test>", made before
// each test and removed after it; run_cli runs the CLI in it.
class CliTest : public ::testing::Test {
 protected:
  explicit CliTest(std::string room) : room_(std::move(room)) {}
  void SetUp() override;
  void TearDown() override;

  CliRun run_cli(const std::string& arguments, const std::string& tag = "") const {
    return cli_testing::run_cli(dir_, arguments, tag);
  }

  std::filesystem::path dir_;

 private:
  std::string room_;
};

}  // namespace greentune::cli_testing
