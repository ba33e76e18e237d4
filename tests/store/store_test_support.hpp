#pragma once
// Helpers for the store tests: a fresh temp directory per test and raw file access.
#include <filesystem>
#include <string>

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

}  // namespace store_test
