#pragma once
// Helpers for the store tests: a fresh temp directory per test and raw file access.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace store_test {

// A new empty directory under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);
// Runs one SQL statement on a database with the raw SQLite API (to forge other versions etc.).
void raw_sql(const std::string& db_path, const std::string& sql);

// A worker program (a test executable) started as a child process with these arguments, and its
// exit code once it ends (128 + the signal when killed).
pid_t spawn_program(const std::string& program, const std::vector<std::string>& args);
int exit_code_of(pid_t pid);

}  // namespace store_test
