// End-to-end: `greentune experiment` and `greentune sweep` as a user runs them: output, the
// report at the end, exit codes, and an interrupted run (SIGTERM) that the same command resumes.
// Training needs LibTorch, so these tests exist only in builds with it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#if GREENTUNE_HAS_TORCH
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "greentune/store/storage.hpp"

namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// Raw IDX files shaped like FashionMNIST; class k lights two rows, so one epoch learns something.
void write_data(const fs::path& dir, const std::string& prefix, uint32_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> images, labels;
  put_u32(images, 0x803);
  put_u32(images, count);
  put_u32(images, 28);
  put_u32(images, 28);
  put_u32(labels, 0x801);
  put_u32(labels, count);
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t label = static_cast<uint8_t>(rng() % 10);
    labels.push_back(label);
    for (int p = 0; p < 28 * 28; ++p) {
      int row = p / 28;
      bool band = row == 2 * label + 3 || row == 2 * label + 4;
      images.push_back(static_cast<uint8_t>(band ? 220 : rng() % 40));
    }
  }
  std::ofstream(dir / (prefix + "-images-idx3-ubyte"), std::ios::binary)
      .write(reinterpret_cast<const char*>(images.data()),
             static_cast<std::streamsize>(images.size()));
  std::ofstream(dir / (prefix + "-labels-idx1-ubyte"), std::ios::binary)
      .write(reinterpret_cast<const char*>(labels.data()),
             static_cast<std::streamsize>(labels.size()));
}

class ExperimentCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("greentune-cli-experiment-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "fm");
    write_data(dir_ / "fm", "train", 600, 1);
    write_data(dir_ / "fm", "t10k", 200, 2);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write_config(int rounds, int epochs = 1) {
    std::ofstream(dir_ / "exp.toml")
        << "[experiment]\nname = \"e\"\nstorage = \"sqlite:e.db\"\nstrategies = [\"random\", "
           "\"grid\"]\nrounds = "
        << rounds
        << "\nreport = \"rep\"\n[space.lr]\ntype = \"float\"\nlow = 1e-3\nhigh = 1e-2\nlog = "
           "true\n[sampler]\ngrid_points = 4\n[train]\nmodel = \"densepoly\"\ndata_dir = \""
        << (dir_ / "fm").string() << "\"\nepochs = " << epochs
        << "\nbatch_size = 32\nthreads = 1\n[sweep]\nconv = [1]\nlinear = [3]\n"
           "relu = [false, true]\n";
    return dir_ / "exp.toml";
  }

  int run(const std::string& arguments, const std::string& tag) {
    std::string command = "cd " + dir_.string() + " && " + GREENTUNE_CLI + " " + arguments + " >" +
                          (dir_ / (tag + ".out")).string() + " 2>" +
                          (dir_ / (tag + ".err")).string() + " </dev/null";
    int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string out(const std::string& tag) { return slurp(dir_ / (tag + ".out")); }
  std::string err(const std::string& tag) { return slurp(dir_ / (tag + ".err")); }

  fs::path dir_;
};

TEST_F(ExperimentCli, RunsThenReportsWhereTheReportIs) {
  write_config(2);
  ASSERT_EQ(run("experiment exp.toml --no-energy", "run"), 0) << err("run");
  EXPECT_THAT(out("run"), HasSubstr("e/random round 2/2"));
  EXPECT_THAT(out("run"), HasSubstr("e/sweep round 2/2"));
  EXPECT_THAT(out("run"), HasSubstr("report: rep/report.html"));
  EXPECT_TRUE(fs::exists(dir_ / "rep" / "report.html"));
  // `sweep` on a finished sweep has nothing left to do.
  ASSERT_EQ(run("sweep exp.toml --no-energy --no-report", "sweep"), 0) << err("sweep");
  EXPECT_THAT(out("sweep"), HasSubstr("0 rounds run now"));
}

TEST_F(ExperimentCli, BadConfigExitsTwoWithTheKey) {
  std::ofstream(dir_ / "bad.toml") << "[experiment]\nname = \"x\"\nrepetitions = 0\n";
  EXPECT_EQ(run("experiment bad.toml", "bad"), 2);
  EXPECT_THAT(err("bad"), HasSubstr("experiment.repetitions"));
  EXPECT_FALSE(fs::exists(dir_ / "greentune.db"));
}

TEST_F(ExperimentCli, InterruptedRunLosesAtMostOneRoundAndResumes) {
  write_config(6, 2);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::chdir(dir_.c_str()) != 0) ::_exit(120);
    int fd = ::open((dir_ / "first.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(GREENTUNE_CLI, GREENTUNE_CLI, "experiment", "exp.toml", "--no-energy", "--no-report",
            static_cast<char*>(nullptr));
    ::_exit(121);
  }
  // Wait for the first finished round, then interrupt mid-study.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (slurp(dir_ / "first.out").find("round 2/6") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << slurp(dir_ / "first.out");
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << slurp(dir_ / "first.out");

  auto storage = greentune::store::open_storage("sqlite:" + (dir_ / "e.db").string());
  auto study = storage->find_study("e/random");
  ASSERT_TRUE(study);
  int complete_before = 0, failed = 0, running = 0;
  for (const auto& trial : storage->trials(study->id)) {
    complete_before += trial.state == greentune::tune::TrialState::complete;
    failed += trial.state == greentune::tune::TrialState::failed;
    running += trial.state == greentune::tune::TrialState::running;
  }
  EXPECT_GE(complete_before, 2);
  EXPECT_LE(failed, 1);  // the round that was running, nothing more
  EXPECT_EQ(running, 0);

  ASSERT_EQ(run("experiment exp.toml --no-energy", "second"), 0) << err("second");
  int complete_after = 0;
  for (const auto& trial : storage->trials(study->id))
    complete_after += trial.state == greentune::tune::TrialState::complete;
  EXPECT_EQ(complete_after, 6);
  EXPECT_THAT(out("second"), HasSubstr("study e/random: " + std::to_string(complete_before) +
                                       " of 6 rounds done"));
}

}  // namespace
#endif  // GREENTUNE_HAS_TORCH
