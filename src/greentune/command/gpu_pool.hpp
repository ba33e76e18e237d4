#pragma once
// `--gpus 0,1,2,3`: each running trial gets one GPU through CUDA_VISIBLE_DEVICES, the least busy
// one (round-robin among equals), and never a GPU that already has `trials_per_gpu` trials.
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "greentune/command/energy_ledger.hpp"
#include "greentune/command/stop_switch.hpp"

namespace greentune::command {

// "0,1,2" or "GPU-8d1c...,GPU-1f3e..." as CUDA_VISIBLE_DEVICES takes them; InputError on an
// empty entry or a repeated one.
std::vector<std::string> parse_gpu_list(const std::string& text);

// The energy domain of each GPU of `gpus` among `domains`. NVML's gpu-N is CUDA's device N of the
// GPUs greentune sees (`visible`: greentune's own CUDA_VISIBLE_DEVICES, nullptr when unset),
// while a trial's CUDA_VISIBLE_DEVICES names the GPU as CUDA does with nothing set: so with
// `visible` set, a GPU is found by its place in that list. A GPU without a domain is left out
// (its trials are charged no GPU energy).
std::map<std::string, std::string> gpu_domains(const std::vector<std::string>& gpus,
                                               const std::vector<LedgerDomain>& domains,
                                               const char* visible);

class GpuPool {
 public:
  GpuPool(std::vector<std::string> gpus, int trials_per_gpu);

  class Lease {
   public:
    Lease(GpuPool* pool, size_t index) : pool_(pool), index_(index) {}
    ~Lease();
    Lease(Lease&& other) noexcept : pool_(other.pool_), index_(other.index_) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    const std::string& gpu() const { return pool_->gpus_[index_]; }
    size_t index() const { return index_; }

   private:
    GpuPool* pool_;
    size_t index_;
  };
  // Waits for a free slot; nullopt when `stop` was triggered first.
  std::optional<Lease> acquire(const StopSwitch* stop);

  const std::vector<std::string>& gpus() const { return gpus_; }
  int slots() const { return static_cast<int>(gpus_.size()) * trials_per_gpu_; }

 private:
  void release(size_t index);
  std::vector<std::string> gpus_;
  int trials_per_gpu_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<int> in_use_;
  size_t next_ = 0;
};

}  // namespace greentune::command
