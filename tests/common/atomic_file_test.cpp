// Result files: written whole, and never by replacing a link, a device or a pipe.
#include "greentune/common/atomic_file.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "greentune/common/error.hpp"

namespace greentune {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "greentune-atomic-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Every name in the folder, so a test sees any temporary file left behind.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) out.push_back(entry.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
};

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_link(const fs::path& path) {
  struct stat status {};
  return ::lstat(path.c_str(), &status) == 0 && S_ISLNK(status.st_mode);
}

TEST_F(AtomicFile, WritesANewFileAndReplacesAnOldOneLeavingNoTemporaryFile) {
  write_file_atomically(dir_ / "result.json", "first\n");
  EXPECT_EQ(slurp(dir_ / "result.json"), "first\n");
  write_file_atomically(dir_ / "result.json", "second\n");
  EXPECT_EQ(slurp(dir_ / "result.json"), "second\n");
  EXPECT_EQ(names(), std::vector<std::string>{"result.json"});
}

TEST_F(AtomicFile, ReplacedFileKeepsItsPermissions) {
  write_file_atomically(dir_ / "private.json", "a");
  fs::permissions(dir_ / "private.json", fs::perms::owner_read | fs::perms::owner_write);
  write_file_atomically(dir_ / "private.json", "b");
  EXPECT_EQ(fs::status(dir_ / "private.json").permissions(),
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(AtomicFile, SymlinkStaysASymlinkAndItsTargetIsWritten) {
  std::ofstream(dir_ / "real.json") << "old";
  fs::create_symlink("real.json", dir_ / "link.json");
  write_file_atomically(dir_ / "link.json", "new");
  EXPECT_TRUE(is_link(dir_ / "link.json")) << "the link was replaced by a regular file";
  EXPECT_EQ(slurp(dir_ / "real.json"), "new");
  EXPECT_EQ(names(), (std::vector<std::string>{"link.json", "real.json"}));
}

TEST_F(AtomicFile, ChainOfSymlinksAcrossFoldersIsFollowedToItsEnd) {
  fs::create_directory(dir_ / "data");
  fs::create_symlink(dir_ / "data" / "final.csv", dir_ / "data" / "middle.csv");  // dangling
  fs::create_symlink("data/middle.csv", dir_ / "first.csv");
  write_file_atomically(dir_ / "first.csv", "a,b\n");
  EXPECT_TRUE(is_link(dir_ / "first.csv"));
  EXPECT_TRUE(is_link(dir_ / "data" / "middle.csv"));
  EXPECT_EQ(slurp(dir_ / "data" / "final.csv"), "a,b\n");
}

TEST_F(AtomicFile, SymlinkLoopIsAnErrorNotAHang) {
  fs::create_symlink("b", dir_ / "a");
  fs::create_symlink("a", dir_ / "b");
  EXPECT_THROW(write_file_atomically(dir_ / "a", "x"), IoError);
  EXPECT_TRUE(is_link(dir_ / "a"));
}

TEST_F(AtomicFile, SymlinkToDevNullStaysALinkAndDevNullStaysACharacterDevice) {
  fs::create_symlink("/dev/null", dir_ / "null");
  write_file_atomically(dir_ / "null", "discarded");
  EXPECT_TRUE(is_link(dir_ / "null"));
  struct stat status {};
  ASSERT_EQ(::stat("/dev/null", &status), 0);
  EXPECT_TRUE(S_ISCHR(status.st_mode));
  EXPECT_EQ(names(), std::vector<std::string>{"null"});
}

TEST_F(AtomicFile, FifoIsWrittenThroughAndStaysAFifo) {
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // The reading end is open first (without blocking), so the writer's open does not wait and a
  // writer that replaced the FIFO instead would leave this end with nothing to read.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  write_file_atomically(fifo, "through the pipe\n");
  char buffer[64] = {};
  const ssize_t n = ::read(reader, buffer, sizeof buffer);
  ::close(reader);
  EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), "through the pipe\n");
  struct stat status {};
  ASSERT_EQ(::lstat(fifo.c_str(), &status), 0);
  EXPECT_TRUE(S_ISFIFO(status.st_mode)) << "the FIFO was replaced";
  EXPECT_EQ(names(), std::vector<std::string>{"pipe"});
}

TEST_F(AtomicFile, OpenDescriptorPathsAreWrittenThroughTheDescriptor) {
  // A file opened for appending (as `>> file` opens stdout): the content lands at its end and the
  // file stays the one the descriptor refers to.
  const fs::path log = dir_ / "log.txt";
  std::ofstream(log) << "earlier\n";
  const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat before {
  }, after{};
  ASSERT_EQ(::stat(log.c_str(), &before), 0);
  write_file_atomically("/proc/self/fd/" + std::to_string(fd), "json\n");
  write_file_atomically("/dev/fd/" + std::to_string(fd), "csv\n");
  ::close(fd);
  ASSERT_EQ(::stat(log.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino) << "the file was replaced, not written through";
  EXPECT_EQ(slurp(log), "earlier\njson\ncsv\n");
  EXPECT_EQ(names(), std::vector<std::string>{"log.txt"});
}

TEST_F(AtomicFile, ClosedDescriptorIsAnError) {
  const int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ::close(fd);
  try {
    write_file_atomically("/dev/fd/" + std::to_string(fd), "x");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("is not open"));
  }
}

TEST_F(AtomicFile, MissingFolderIsRefusedNamingThePathAndNothingIsCreated) {
  const fs::path target = dir_ / "no" / "such" / "result.json";
  try {
    write_file_atomically(target, "{}");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(target.string()));
    EXPECT_THAT(e.what(), HasSubstr("does not exist"));
  }
  EXPECT_THROW(check_result_path(target), InputError);
  EXPECT_FALSE(fs::exists(dir_ / "no"));
  // A dangling link whose target folder is missing is refused the same way.
  fs::create_symlink(dir_ / "gone" / "x.json", dir_ / "dangling.json");
  EXPECT_THROW(write_file_atomically(dir_ / "dangling.json", "{}"), InputError);
  EXPECT_FALSE(fs::exists(dir_ / "gone"));
}

TEST_F(AtomicFile, MissingFolderIsCreatedOnlyWhenAskedFor) {
  const fs::path target = dir_ / "report" / "trials.csv";
  write_file_atomically(target, "x\n", MissingFolder::create);
  EXPECT_EQ(slurp(target), "x\n");
}

TEST_F(AtomicFile, FolderIsNotAFileName) {
  fs::create_directory(dir_ / "out");
  EXPECT_THROW(write_file_atomically(dir_ / "out", "x"), IoError);
  EXPECT_THROW(check_result_path(dir_ / "out"), IoError);
  EXPECT_TRUE(fs::is_directory(dir_ / "out"));
}

}  // namespace
}  // namespace greentune
