#pragma once
// A tiny FashionMNIST-shaped data set (raw IDX files whose classes differ by a bright band, so a
// network learns them in one epoch) and experiment configs over it, written into a temp folder.
#include <filesystem>
#include <string>

namespace greentune::experiment::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void write_tiny_fashion_mnist(const std::filesystem::path& dir, unsigned train, unsigned test);

// An experiment over the tiny data: random and grid on densepoly, `rounds` rounds, and a
// simplecnn sweep over relu off/on. `lr_high` lets a test change the space.
std::string tiny_experiment_toml(const std::filesystem::path& data_dir,
                                 const std::filesystem::path& store, int rounds,
                                 double lr_high = 1e-2);

}  // namespace greentune::experiment::testing
