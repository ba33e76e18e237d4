// `greentune` never loads LibTorch; the commands that train run in greentune-train, which
// `greentune` becomes (execv) with the same arguments, stdin, stdout, exit code and pid. The fake
// training executables here are shell scripts named by GREENTUNE_TRAIN_EXECUTABLE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_test_support.hpp"
#include "greentune/data/checksum.hpp"

namespace {

namespace fs = std::filesystem;
using greentune::cli_testing::CliRun;
using greentune::cli_testing::CliTest;
using greentune::cli_testing::slurp;
using ::testing::HasSubstr;
using ::testing::Not;

const char* kBranin = R"(
[study]
name = "b"
storage = "sqlite:studies.db"
strategy = "random"
objective = "branin"
rounds = 2
seed = 3
)";

const char* kTrainStudy = R"(
[study]
name = "t"
storage = "sqlite:train.db"
strategy = "random"
objective = "train"
rounds = 1
[space.lr]
type = "float"
low = 0.001
high = 0.01
[train]
model = "simplecnn"
dataset = "fashion-mnist"
)";

class Startup : public CliTest {
 protected:
  Startup() : CliTest("startup") {}

  // Runs `env VARIABLES greentune ARGUMENTS` in dir_ (shell text, as run_cli), stdin from
  // dir_/<tag>.in when it exists.
  CliRun run_with_env(const std::string& variables, const std::string& arguments,
                      const std::string& tag) const {
    const fs::path in = dir_ / (tag + ".in");
    const std::string command = "cd " + dir_.string() + " && env " + variables + " " +
                                GREENTUNE_CLI + " " + arguments + " >" + tag + ".out 2>" + tag +
                                ".err <" + (fs::exists(in) ? in.string() : "/dev/null");
    const int status = std::system(command.c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = slurp(dir_ / (tag + ".out"));
    run.err = slurp(dir_ / (tag + ".err"));
    return run;
  }

  // The dynamic loader's account (LD_DEBUG=libs) of every library the command loaded, dlopen
  // included, from exec to exit.
  CliRun loader_log(const std::string& arguments, const std::string& tag) const {
    return run_with_env("LD_DEBUG=libs", arguments, tag);
  }

  // A fake greentune-train: records its arguments (one a line), its stdin and its pid, then runs
  // `tail` (shell text).
  std::string fake_training_executable(const std::string& tail) const {
    const fs::path script = dir_ / "fake-train";
    std::ofstream(script) << "#!/bin/sh\n"
                             "printf '%s\\n' \"$@\" > args.txt\n"
                             "cat > stdin.txt\n"
                             "echo $$ > pid.txt\n"
                             "echo \"${GOMP_SPINCOUNT-unset}\" > spin.txt\n"
                          << tail << "\n";
    fs::permissions(script, fs::perms::owner_all);
    return "GREENTUNE_TRAIN_EXECUTABLE=" + script.string();
  }
};

// The libraries only some commands need, opened when first used (src/greentune/common/
// shared_library.hpp): libcurl, libarchive and libcrypto by `data fetch`, libpq by a PostgreSQL
// store. Each was linked before, loaded (with GnuTLS, Kerberos, LDAP, ICU, ...) by every command.
const std::vector<std::string> kLibrariesOpenedOnUse = {"libcurl.so", "libarchive.so",
                                                        "libcrypto.so", "libpq.so"};

TEST_F(Startup, CommandsThatDoNotTrainLoadNeitherLibTorchNorTheLibrariesOpenedOnUse) {
  std::ofstream(dir_ / "b.toml") << kBranin;
  const std::vector<std::string> commands = {"--version",
                                             "--help",
                                             "info",
                                             "meters",
                                             "measure -- true",
                                             "tune b.toml --no-energy",
                                             "studies --storage sqlite:studies.db",
                                             "trials b --storage sqlite:studies.db",
                                             "report studies.db --out rep"};
  int tag = 0;
  for (const auto& command : commands) {
    const CliRun run = loader_log(command, std::to_string(tag++));
    const size_t tail = run.err.size() > 2000 ? run.err.size() - 2000 : 0;
    EXPECT_EQ(run.exit_code, 0) << command << ": " << run.err.substr(tail);
    // The loader did report (so an empty log cannot pass) ...
    EXPECT_THAT(run.err, HasSubstr("libc.so.6")) << command;
    // ... and LibTorch was never among what it loaded ...
    EXPECT_THAT(run.err, Not(HasSubstr("libtorch"))) << command;
    EXPECT_THAT(run.err, Not(HasSubstr("libc10"))) << command;
    // ... nor what only downloads and PostgreSQL stores need.
    for (const auto& library : kLibrariesOpenedOnUse) {
      EXPECT_THAT(run.err, Not(HasSubstr(library))) << command;
    }
  }
}

TEST_F(Startup, TheLibrariesOpenedOnUseAreLoadedByWhatUsesThem) {
  // The control for the test above: the same log names them where they are used. A fetch of a
  // file:// URL whose SHA-256 is given downloads (libcurl), verifies (libcrypto) and unpacks
  // (libarchive) it, then refuses it as not CIFAR-10.
  const std::string not_a_tar = "not a tar archive\n";
  std::ofstream(dir_ / "cifar.tar.gz") << not_a_tar;
  const std::string sha256 =
      greentune::data::bytes_digest(not_a_tar, greentune::data::DigestKind::Sha256);
  const CliRun fetch = loader_log("data fetch cifar10 --dir data --url file://" +
                                      (dir_ / "cifar.tar.gz").string() + " --sha256 " + sha256,
                                  "fetch");
  EXPECT_EQ(fetch.exit_code, 1);
  EXPECT_THAT(fetch.err, HasSubstr("cannot open as a tar archive"));
  for (const char* library : {"libcurl.so.4", "libcrypto.so.3", "libarchive.so.13"}) {
    EXPECT_THAT(fetch.err, HasSubstr(library));
  }
  // Port 1 on this machine: nothing listens, so the connection fails after libpq is loaded.
  const CliRun postgres =
      loader_log("studies --storage postgresql://nobody@127.0.0.1:1/none", "pq");
  EXPECT_NE(postgres.exit_code, 0);
  EXPECT_THAT(postgres.err, HasSubstr("cannot connect to the PostgreSQL study store"));
  EXPECT_THAT(postgres.err, HasSubstr("libpq.so.5"));
}

TEST_F(Startup, ForwardedCommandsGetTheArgumentsStdinAndExitCode) {
  const std::string fake = fake_training_executable("exit 7");
  std::ofstream(dir_ / "f.in") << "from stdin\n";
  const CliRun run =
      run_with_env(fake, "-v train --epochs 3 'two words' --help -- --json x.json", "f");
  EXPECT_EQ(run.exit_code, 7) << run.err;
  EXPECT_EQ(slurp(dir_ / "args.txt"),
            "-v\ntrain\n--epochs\n3\ntwo words\n--help\n--\n--json\nx.json\n");
  EXPECT_EQ(slurp(dir_ / "stdin.txt"), "from stdin\n");
}

TEST_F(Startup, ForwardedCommandsGetTheShortOpenMpSpinUnlessTheUserSetOne) {
  // What greentune-train would otherwise re-execute itself for (loading LibTorch twice).
  const std::string fake = fake_training_executable("exit 0");
  ASSERT_EQ(run_with_env("-u GOMP_SPINCOUNT -u OMP_WAIT_POLICY " + fake, "train", "a").exit_code,
            0);
  EXPECT_EQ(slurp(dir_ / "spin.txt"), "300\n");
  ASSERT_EQ(
      run_with_env("-u GOMP_SPINCOUNT OMP_WAIT_POLICY=passive " + fake, "train", "b").exit_code, 0);
  EXPECT_EQ(slurp(dir_ / "spin.txt"), "unset\n");
  ASSERT_EQ(run_with_env("GOMP_SPINCOUNT=5 " + fake, "train", "c").exit_code, 0);
  EXPECT_EQ(slurp(dir_ / "spin.txt"), "5\n");
}

TEST_F(Startup, ExperimentSweepAndInfoTorchAreForwarded) {
  const std::string fake = fake_training_executable("echo forwarded; exit 0");
  for (const std::string command :
       {"experiment x.toml", "sweep x.toml --no-report", "info --torch"}) {
    const CliRun run = run_with_env(fake, command, "c");
    EXPECT_EQ(run.exit_code, 0) << command << ": " << run.err;
    EXPECT_EQ(run.out, "forwarded\n") << command;
  }
}

TEST_F(Startup, TuneOfATrainingStudyIsForwardedAndOfABenchmarkIsNot) {
  const std::string fake = fake_training_executable("echo forwarded; exit 0");
  std::ofstream(dir_ / "t.toml") << kTrainStudy;
  std::ofstream(dir_ / "b.toml") << kBranin;
  const CliRun trains = run_with_env(fake, "tune t.toml --rounds 3", "t");
  EXPECT_EQ(trains.exit_code, 0) << trains.err;
  EXPECT_EQ(trains.out, "forwarded\n");
  EXPECT_EQ(slurp(dir_ / "args.txt"), "tune\nt.toml\n--rounds\n3\n");
  fs::remove(dir_ / "args.txt");

  const CliRun benchmark = run_with_env(fake, "tune b.toml --no-energy", "b");
  EXPECT_EQ(benchmark.exit_code, 0) << benchmark.err;
  EXPECT_THAT(benchmark.out, HasSubstr("round 2/2"));
  EXPECT_FALSE(fs::exists(dir_ / "args.txt"));
}

TEST_F(Startup, ABadStudyConfigIsReportedWithoutTheTrainingExecutable) {
  const std::string fake = fake_training_executable("exit 0");
  std::ofstream(dir_ / "bad.toml") << "[study]\nname = \"x\"\nrounds = \"many\"\n";
  const CliRun run = run_with_env(fake, "tune bad.toml", "bad");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("rounds"));
  EXPECT_FALSE(fs::exists(dir_ / "args.txt"));
}

TEST_F(Startup, AMissingTrainingExecutableSaysWhatToBuild) {
  const CliRun run = run_with_env("GREENTUNE_TRAIN_EXECUTABLE=" + (dir_ / "nowhere").string(),
                                  "train --epochs 1", "m");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("greentune-train"));
  EXPECT_THAT(run.err, HasSubstr((dir_ / "nowhere").string()));
  EXPECT_THAT(run.err, HasSubstr("GREENTUNE_TRAIN_EXECUTABLE"));
}

TEST_F(Startup, ASignalReachesTheForwardedCommandInTheSameProcess) {
  // The fake replaces itself by sleep, so greentune, the fake and sleep are one process.
  const std::string fake = fake_training_executable("exec sleep 60");
  const std::string variable = fake.substr(fake.find('=') + 1);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::chdir(dir_.c_str()) != 0) ::_exit(120);
    ::setenv("GREENTUNE_TRAIN_EXECUTABLE", variable.c_str(), 1);
    ::execl(GREENTUNE_CLI, GREENTUNE_CLI, "train", static_cast<char*>(nullptr));
    ::_exit(121);
  }
  // Wait (no timing assertion: the deadline only stops a broken run from hanging) for the fake.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (slurp(dir_ / "pid.txt").empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(slurp(dir_ / "pid.txt"), std::to_string(pid) + "\n");
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

#ifdef GREENTUNE_TRAIN_CLI
// Built with LibTorch: greentune looks for greentune-train (without, only where the variable says).
TEST_F(Startup, TheTrainingExecutableIsFoundInLibexecOrNamedWhenMissing) {
  // greentune copied alone into bin/: nothing beside it, nothing in libexec yet.
  fs::create_directories(dir_ / "bin");
  fs::copy_file(GREENTUNE_CLI, dir_ / "bin" / "greentune");
  const std::string alone =
      "cd " + dir_.string() + " && bin/greentune train --epochs 1 >a.out 2>a.err";
  EXPECT_EQ(WEXITSTATUS(std::system(alone.c_str())), 1);
  const std::string missing = slurp(dir_ / "a.err");
  EXPECT_THAT(missing, HasSubstr((dir_ / "bin" / "greentune-train").string()));
  EXPECT_THAT(missing, HasSubstr("libexec/greentune/greentune-train"));
  EXPECT_THAT(missing, HasSubstr("--target greentune_cli"));

  // `cmake --install`'s layout: bin/greentune, libexec/greentune/greentune-train.
  fake_training_executable("echo from libexec; exit 0");
  fs::create_directories(dir_ / "libexec" / "greentune");
  fs::copy_file(dir_ / "fake-train", dir_ / "libexec" / "greentune" / "greentune-train");
  const std::string installed = "cd " + dir_.string() + " && bin/greentune train >b.out 2>b.err";
  EXPECT_EQ(WEXITSTATUS(std::system(installed.c_str())), 0) << slurp(dir_ / "b.err");
  EXPECT_EQ(slurp(dir_ / "b.out"), "from libexec\n");
}

// The real greentune-train, found beside greentune.
TEST_F(Startup, TrainHelpIsTheTrainingExecutablesAndBothListTheSameCommands) {
  const CliRun help = run_cli("train --help", "train-help");
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_THAT(help.out, HasSubstr("--epochs"));

  const auto commands = [](const std::string& help_text) {
    return help_text.substr(help_text.find("Subcommands:"));
  };
  const CliRun light = run_cli("--help", "light");
  const std::string command = std::string(GREENTUNE_TRAIN_CLI) + " --help >heavy.out";
  ASSERT_EQ(std::system(("cd " + dir_.string() + " && " + command).c_str()), 0);
  ASSERT_THAT(light.out, HasSubstr("Subcommands:"));
  EXPECT_EQ(commands(light.out), commands(slurp(dir_ / "heavy.out")));
}

TEST_F(Startup, InfoNamesTheTrainingExecutableAndWithTorchWhatItLoaded) {
  const CliRun info = run_cli("info", "info");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_THAT(info.out, HasSubstr(std::string("training    ") + GREENTUNE_TRAIN_CLI + "\n"));
  EXPECT_THAT(info.out, HasSubstr("libtorch    "));
  const CliRun loaded = run_cli("info --torch", "torch");
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_THAT(loaded.out, HasSubstr("training    this executable"));
  EXPECT_THAT(loaded.out, HasSubstr("allocator   "));
  EXPECT_THAT(loaded.out, HasSubstr("/libtorch"));  // a mapped file, with its folder
  EXPECT_THAT(loaded.out, HasSubstr("(CUDA "));
}

TEST_F(Startup, TheTrainingExecutableLoadsLibTorch) {
  // The control for the loader log above: the same method sees LibTorch where it is.
  const std::string command = std::string("cd ") + dir_.string() + " && env LD_DEBUG=libs " +
                              GREENTUNE_TRAIN_CLI + " --version 2>ld.err >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_THAT(slurp(dir_ / "ld.err"), HasSubstr("libtorch"));
}
#endif

}  // namespace
