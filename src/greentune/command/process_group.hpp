#pragma once
// Starting a trial's program as the leader of its own process group, so the program, its children
// and its grandchildren can be counted and stopped together (and Ctrl-C at the terminal reaches
// greentune, which stops them in order, rather than the program directly).
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "greentune/common/error.hpp"

namespace greentune::command {

// An owned file descriptor (closed on destruction).
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset();
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// The program could not be started (not found, not executable, a bad workdir).
class SpawnError : public Error {
 public:
  SpawnError(const std::string& message, int error) : Error(message), error_(error) {}
  int error() const { return error_; }

 private:
  int error_;
};

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH unless it holds a '/'
  std::vector<std::string> env;   // NAME=value, the whole environment
  std::filesystem::path workdir;  // "": greentune's
};

struct Spawned {
  pid_t pid = -1;  // also the process group id
  Fd out;          // the program's stdout and stderr (non-blocking read ends)
  Fd err;
  Fd pidfd;  // readable when the program exits; empty where the kernel has no pidfd_open
};

// Starts the program with stdin from /dev/null, default signal handling and an empty signal mask,
// in a new process group led by itself. SpawnError when it cannot run.
Spawned spawn_in_own_group(const SpawnRequest& request);

// Sends `signo` to every process of the group; false when none is left.
bool signal_group(pid_t pgid, int signo);
// Whether any process of the group is left (zombies included).
bool group_alive(pid_t pgid);

}  // namespace greentune::command
