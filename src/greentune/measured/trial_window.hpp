#pragma once
// A Monitor window around a whole trial, which also tells the study how to measure the trial so far
// if it is interrupted (tune::TrialContext::set_usage_probe).
#include <string>

#include "greentune/energy/monitor.hpp"
#include "greentune/tune/objective.hpp"

namespace greentune::measured {

// `monitor` may be nullptr: then nothing is measured and no probe is set.
class TrialWindow {
 public:
  TrialWindow(energy::Monitor* monitor, tune::TrialContext& context, std::string window);
  // Ends the window if still open; an unwinding trial leaves the probe answering what it used.
  ~TrialWindow();
  TrialWindow(const TrialWindow&) = delete;
  TrialWindow& operator=(const TrialWindow&) = delete;
  // The trial returned: closes the window, clears the probe and returns the window's measurement
  // (an empty one without a monitor or when already closed).
  energy::Measurement close();

 private:
  energy::Monitor* monitor_;
  tune::TrialContext& context_;
  std::string window_;
  bool open_ = false;
};

}  // namespace greentune::measured
