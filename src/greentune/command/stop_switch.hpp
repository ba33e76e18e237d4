#pragma once
// One switch that stops every running trial of this process (Ctrl-C, SIGTERM, a worker's fatal
// error), and a count of the trials still stopping, so the signal handler can wait for them.
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "greentune/command/process_group.hpp"

namespace greentune::command {

class StopSwitch {
 public:
  StopSwitch();
  // Every runner polling fd() wakes; idempotent and safe from any thread (not a signal handler:
  // SignalGuard calls it from its own thread).
  void trigger();
  bool triggered() const;
  int fd() const { return event_.get(); }  // readable once triggered, for poll()

  // Held by each running trial.
  class Running {
   public:
    explicit Running(StopSwitch& stop);
    ~Running();
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;

   private:
    StopSwitch& stop_;
  };
  // True when no trial is running any more, false when `timeout` passed first.
  bool wait_until_idle(std::chrono::duration<double> timeout);

 private:
  Fd event_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  bool triggered_ = false;
  int running_ = 0;
};

}  // namespace greentune::command
