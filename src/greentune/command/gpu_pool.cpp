#include "greentune/command/gpu_pool.hpp"

#include <fmt/format.h>

#include <chrono>
#include <set>

#include "greentune/common/error.hpp"

namespace greentune::command {

std::vector<std::string> parse_gpu_list(const std::string& text) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    std::string entry = text.substr(start, comma == std::string::npos ? comma : comma - start);
    while (!entry.empty() && entry.front() == ' ') entry.erase(entry.begin());
    while (!entry.empty() && entry.back() == ' ') entry.pop_back();
    if (entry.empty() || entry.find_first_of(" \t=") != std::string::npos) {
      throw InputError(fmt::format(
          "--gpus {}: expected GPU indices or UUIDs separated by commas, e.g. --gpus 0,1,2,3",
          text));
    }
    if (!seen.insert(entry).second) {
      throw InputError(fmt::format(
          "--gpus {}: GPU {} is listed twice; use --trials-per-gpu to share a GPU", text, entry));
    }
    out.push_back(entry);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::map<std::string, std::string> gpu_domains(const std::vector<std::string>& gpus,
                                               const std::vector<LedgerDomain>& domains,
                                               const char* visible) {
  std::vector<std::string> seen;  // what the NVML source calls gpu-0, gpu-1, ...
  if (visible != nullptr) {
    const std::string list(visible);
    size_t start = 0;
    while (true) {
      const auto comma = list.find(',', start);
      std::string entry = list.substr(start, comma == std::string::npos ? comma : comma - start);
      while (!entry.empty() && entry.front() == ' ') entry.erase(entry.begin());
      while (!entry.empty() && entry.back() == ' ') entry.pop_back();
      seen.push_back(entry);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& gpu : gpus) {
    std::string domain;
    if (visible == nullptr) {
      domain = "gpu-" + gpu;
    } else {
      for (size_t i = 0; i < seen.size(); ++i) {
        if (seen[i] == gpu) domain = "gpu-" + std::to_string(i);
      }
    }
    for (const auto& d : domains) {
      if (d.gpu && d.name == domain) out[gpu] = domain;
    }
  }
  return out;
}

GpuPool::GpuPool(std::vector<std::string> gpus, int trials_per_gpu)
    : gpus_(std::move(gpus)), trials_per_gpu_(trials_per_gpu), in_use_(gpus_.size(), 0) {
  if (gpus_.empty()) throw InputError("--gpus: expected at least one GPU");
  if (trials_per_gpu_ < 1) {
    throw InputError(fmt::format("--trials-per-gpu {}: expected at least 1", trials_per_gpu_));
  }
}

GpuPool::Lease::~Lease() {
  if (pool_) pool_->release(index_);
}

std::optional<GpuPool::Lease> GpuPool::acquire(const StopSwitch* stop) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stop && stop->triggered()) return std::nullopt;
    // The least busy GPU, starting the search after the last one given out.
    std::optional<size_t> best;
    for (size_t k = 0; k < gpus_.size(); ++k) {
      const size_t i = (next_ + k) % gpus_.size();
      if (in_use_[i] >= trials_per_gpu_) continue;
      if (!best || in_use_[i] < in_use_[*best]) best = i;
    }
    if (best) {
      ++in_use_[*best];
      next_ = (*best + 1) % gpus_.size();
      return Lease(this, *best);
    }
    // Woken by a release; the timeout only lets a triggered stop be seen.
    freed_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void GpuPool::release(size_t index) {
  {
    std::lock_guard lock(mutex_);
    --in_use_[index];
  }
  freed_.notify_one();
}

}  // namespace greentune::command
