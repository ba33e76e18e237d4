#include "greentune/command/stop_switch.hpp"

#include <fmt/format.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace greentune::command {

StopSwitch::StopSwitch() : event_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!event_) {
    throw IoError(fmt::format("cannot create the trials' stop event: {}", std::strerror(errno)));
  }
}

void StopSwitch::trigger() {
  {
    std::lock_guard lock(mutex_);
    if (triggered_) return;
    triggered_ = true;
  }
  // Never read back, so it stays readable for every poll that comes later.
  const uint64_t one = 1;
  ssize_t written = ::write(event_.get(), &one, sizeof one);
  (void)written;
}

bool StopSwitch::triggered() const {
  std::lock_guard lock(mutex_);
  return triggered_;
}

StopSwitch::Running::Running(StopSwitch& stop) : stop_(stop) {
  std::lock_guard lock(stop_.mutex_);
  ++stop_.running_;
}

StopSwitch::Running::~Running() {
  {
    std::lock_guard lock(stop_.mutex_);
    --stop_.running_;
  }
  stop_.idle_.notify_all();
}

bool StopSwitch::wait_until_idle(std::chrono::duration<double> timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return running_ == 0; });
}

}  // namespace greentune::command
