#include "energy/fake_sysfs.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace greentune::energy::testing {

FakeRoot::FakeRoot() {
  std::string pattern = (std::filesystem::temp_directory_path() / "greentune-fake-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  root_ = pattern;
  // Traversable by the unprivileged child of run_as_nobody.
  std::filesystem::permissions(root_, std::filesystem::perms::all &
                                          ~std::filesystem::perms::group_write &
                                          ~std::filesystem::perms::others_write);
}

FakeRoot::~FakeRoot() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

SystemPaths FakeRoot::paths() const {
  SystemPaths paths;
  paths.sysfs_root = root_ / "sys";
  paths.dev_root = root_ / "dev";
  paths.proc_root = root_ / "proc";
  return paths;
}

void FakeRoot::write(const std::filesystem::path& relative, std::string_view content) const {
  auto full = root_ / relative;
  std::filesystem::create_directories(full.parent_path());
  // Through a rename, so a reader (a Monitor's sampler thread) sees the old value or the new one,
  // never half a number, as with a real sysfs attribute.
  auto temporary = full;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, full);
}

void FakeRoot::write_u64_at(const std::filesystem::path& relative, uint64_t offset,
                            uint64_t value) const {
  auto full = root_ / relative;
  std::filesystem::create_directories(full.parent_path());
  int fd = ::open(full.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + full.string());
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
  ssize_t n = ::pwrite(fd, bytes, sizeof bytes, static_cast<off_t>(offset));
  ::close(fd);
  if (n != 8) throw std::runtime_error("cannot pwrite " + full.string());
}

uint64_t FakeRoot::read_u64_at(const std::filesystem::path& relative, uint64_t offset) const {
  auto full = root_ / relative;
  std::ifstream in(full, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  unsigned char bytes[8] = {};
  in.read(reinterpret_cast<char*>(bytes), sizeof bytes);
  if (!in) throw std::runtime_error("cannot read 8 bytes of " + full.string());
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

void FakeRoot::write_topology(int packages, int cpus_per_package, int threads_per_core) const {
  // Linux numbers the first thread of every core before the SMT siblings; mimic that.
  int cores_per_package = cpus_per_package / threads_per_core;
  int cpu = 0;
  for (int thread = 0; thread < threads_per_core; ++thread) {
    for (int package = 0; package < packages; ++package) {
      for (int core = 0; core < cores_per_package; ++core, ++cpu) {
        auto dir = std::filesystem::path("sys/devices/system/cpu") / ("cpu" + std::to_string(cpu)) /
                   "topology";
        write(dir / "physical_package_id", std::to_string(package) + "\n");
        write(dir / "core_id", std::to_string(core) + "\n");
      }
    }
  }
}

std::string run_as_nobody(const std::function<std::string()>& body) {
  if (geteuid() != 0) return body();  // already unprivileged
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string out;
    if (setgroups(0, nullptr) != 0 && geteuid() == 0) _exit(3);
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) {
      out = "setresuid failed";
    } else {
      try {
        out = body();
      } catch (const std::exception& e) {
        out = std::string("exception: ") + e.what();
      }
    }
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::write(pipe_fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  ::close(pipe_fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0)
    out.append(buffer, static_cast<size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return out;
}

}  // namespace greentune::energy::testing
