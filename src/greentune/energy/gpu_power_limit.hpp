#pragma once
// The power limit of one NVIDIA GPU as a knob of a study (Zeus's idea): set through NVML before a
// trial, put back after it. The limit outlives the process, so before the first change the
// original limit is written to a journal file; restore() puts it back and removes the journal,
// and a greentune killed in between (SIGKILL, a crash) leaves the journal for the next start to
// restore with restore_journaled_power_limit. NVML is loaded with dlopen (libnvidia-ml.so.1, or
// GREENTUNE_NVML_LIBRARY), as the energy source does.
//
// Which GPU: NVML's device `index`. That is CUDA's device number only when CUDA_VISIBLE_DEVICES
// is unset (and CUDA_DEVICE_ORDER=PCI_BUS_ID or one GPU model), so open() refuses to guess when
// CUDA_VISIBLE_DEVICES is set.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace greentune::energy {

class GpuPowerLimit {
 public:
  // Loads NVML, takes GPU `index`, reads its limit and the board's range, and checks that the
  // limit may be changed by setting the current one again. InputError saying why not (no NVML,
  // no such GPU, not supported by the board, not permitted: needs root).
  static std::unique_ptr<GpuPowerLimit> open(unsigned index, std::filesystem::path journal);
  ~GpuPowerLimit();  // restore()
  GpuPowerLimit(const GpuPowerLimit&) = delete;
  GpuPowerLimit& operator=(const GpuPowerLimit&) = delete;

  int original_watts() const;
  int min_watts() const;  // the board's range
  int max_watts() const;
  // Journals the original limit (first change only), then sets `watts`. InputError outside the
  // board's range; IoError when NVML refuses.
  void set(int watts);
  // The original limit back and the journal removed; nothing when no change is pending. Safe to
  // call again, and from another thread (a signal handler's) while a trial sets the limit.
  void restore();

  struct Api;

 private:
  GpuPowerLimit() = default;
  std::unique_ptr<Api> api_;
  std::filesystem::path journal_;
  std::string uuid_;
  unsigned original_mw_ = 0, min_mw_ = 0, max_mw_ = 0;
  bool changed_ = false;
  std::mutex mutex_;
};

// Where the journal lives: $GREENTUNE_STATE_DIR, else $XDG_STATE_HOME/greentune, else
// ~/.local/state/greentune; the file is gpu-power-limit.
std::filesystem::path power_limit_journal_path();

// A journal left by a greentune that did not get to restore: sets the limit it records on the
// GPU it names (by UUID) and removes it. Returns what it did ("" when there is no journal).
// IoError when NVML cannot put the limit back (the journal then stays for the next try).
std::string restore_journaled_power_limit(const std::filesystem::path& journal);

}  // namespace greentune::energy
