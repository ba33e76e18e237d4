#include "greentune/command/process_group.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace greentune::command {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {

struct Pipe {
  Fd read, write;
};

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw IoError(
        fmt::format("cannot create a pipe for the trial's output: {}", std::strerror(errno)));
  }
  Pipe pipe{Fd(fds[0]), Fd(fds[1])};
  fcntl(pipe.read.get(), F_SETFL, fcntl(pipe.read.get(), F_GETFL) | O_NONBLOCK);
  return pipe;
}

// RAII for the posix_spawn attribute objects.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

Spawned spawn_in_own_group(const SpawnRequest& request) {
  if (request.argv.empty()) throw SpawnError("no program to run", EINVAL);
  Pipe out = make_pipe();
  Pipe err = make_pipe();

  SpawnSetup setup;
  // The write ends become the program's 1 and 2 (dup2 clears close-on-exec); every descriptor of
  // greentune is close-on-exec, so no other trial's pipe leaks into this program.
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&setup.actions, err.write.get(), 2);
  if (!request.workdir.empty()) {
    posix_spawn_file_actions_addchdir_np(&setup.actions, request.workdir.c_str());
  }
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&setup.attributes, &empty);
  posix_spawnattr_setsigdefault(&setup.attributes, &all);
  posix_spawnattr_setpgroup(&setup.attributes, 0);
  posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                  POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);

  std::vector<char*> argv, envp;
  for (const auto& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : request.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc =
      posix_spawnp(&pid, argv[0], &setup.actions, &setup.attributes, argv.data(), envp.data());
  if (rc != 0) {
    std::string where = request.workdir.empty() ? std::string() : " in " + request.workdir.string();
    throw SpawnError(
        fmt::format("cannot run '{}'{}: {}", request.argv[0], where, std::strerror(rc)), rc);
  }
  Spawned spawned;
  spawned.pid = pid;
  spawned.out = std::move(out.read);
  spawned.err = std::move(err.read);
  // The child is not reaped before this, so the pid cannot have been reused.
  const long pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd >= 0) {
    spawned.pidfd = Fd(static_cast<int>(pidfd));
    fcntl(spawned.pidfd.get(), F_SETFD, FD_CLOEXEC);
  }
  return spawned;
}

bool signal_group(pid_t pgid, int signo) {
  if (pgid <= 1) return false;  // never the whole machine or init's group
  return ::kill(-pgid, signo) == 0;
}

bool group_alive(pid_t pgid) {
  if (pgid <= 1) return false;
  // EPERM: a member runs as another user (a setuid helper) but is there all the same.
  return ::kill(-pgid, 0) == 0 || errno == EPERM;
}

}  // namespace greentune::command
