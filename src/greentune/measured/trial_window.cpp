#include "greentune/measured/trial_window.hpp"

#include "greentune/measured/trial_energy.hpp"

namespace greentune::measured {

TrialWindow::TrialWindow(energy::Monitor* monitor, tune::TrialContext& context, std::string window)
    : monitor_(monitor), context_(context), window_(std::move(window)) {
  if (!monitor_) return;
  monitor_->begin(window_);
  open_ = true;
  // By value: the probe may be asked from another thread after this object is gone.
  context_.set_usage_probe(
      [monitor = monitor_, window = window_] { return usage_of(monitor->peek(window)); });
}

TrialWindow::~TrialWindow() {
  if (!open_) return;
  try {
    context_.set_usage_probe([used = usage_of(monitor_->end(window_))] { return used; });
  } catch (...) {
    // Measuring what a failing trial used must not hide why it failed.
  }
}

energy::Measurement TrialWindow::close() {
  if (!open_) return {};
  open_ = false;
  energy::Measurement m = monitor_->end(window_);
  context_.set_usage_probe({});
  return m;
}

}  // namespace greentune::measured
