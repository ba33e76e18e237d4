#include "greentune/energy/gpu_power_limit.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "greentune/common/atomic_file.hpp"
#include "greentune/common/error.hpp"
#include "greentune/energy/nvml_library.hpp"

namespace greentune::energy {

namespace {

using nvmlReturn_t = nvml::Return;
using nvmlDevice_t = nvml::Device;
constexpr nvmlReturn_t NVML_SUCCESS = nvml::kSuccess;
constexpr nvmlReturn_t NVML_ERROR_NOT_SUPPORTED = 3;
constexpr nvmlReturn_t NVML_ERROR_NO_PERMISSION = 4;
constexpr unsigned kUuidBuffer = 96;

}  // namespace

// The NVML entry points a power limit needs (nvml.h is not installed; this ABI is stable).
struct GpuPowerLimit::Api {
  std::unique_ptr<nvml::Library> library;
  nvmlReturn_t (*by_index)(unsigned, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*by_uuid)(const char*, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*get_uuid)(nvmlDevice_t, char*, unsigned) = nullptr;
  nvmlReturn_t (*get_limit)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*get_range)(nvmlDevice_t, unsigned*, unsigned*) = nullptr;
  nvmlReturn_t (*set_limit)(nvmlDevice_t, unsigned) = nullptr;
  nvmlDevice_t device = nullptr;

  std::string describe(nvmlReturn_t code) const { return library->describe(code); }

  // Loaded and initialised; InputError saying why not.
  static std::unique_ptr<Api> load() {
    auto api = std::make_unique<Api>();
    std::string why;
    api->library = nvml::Library::open(why);
    if (!api->library) {
      throw InputError(fmt::format(
          "gpu_power_limit_w: cannot load {} ({}): the GPU power limit needs an NVIDIA driver",
          nvml::Library::configured_name(), why));
    }
    const nvml::Library& library = *api->library;
    const bool bound =
        api->library->bind_lifetime() &&
        library.bind("nvmlDeviceGetHandleByIndex_v2", api->by_index) &&
        library.bind("nvmlDeviceGetHandleByUUID", api->by_uuid) &&
        library.bind("nvmlDeviceGetUUID", api->get_uuid) &&
        library.bind("nvmlDeviceGetPowerManagementLimit", api->get_limit) &&
        library.bind("nvmlDeviceGetPowerManagementLimitConstraints", api->get_range) &&
        library.bind("nvmlDeviceSetPowerManagementLimit", api->set_limit);
    if (!bound)
      throw InputError(fmt::format(
          "gpu_power_limit_w: {} lacks the NVML power limit calls: the driver is too old",
          library.name()));
    const nvmlReturn_t rc = api->library->init();
    if (rc != NVML_SUCCESS)
      throw InputError("gpu_power_limit_w: nvmlInit_v2 failed: " + api->describe(rc));
    return api;
  }
};

namespace {

struct JournalEntry {
  std::string uuid;
  unsigned milliwatts = 0;
};

void write_journal(const std::filesystem::path& journal, const JournalEntry& entry) {
  std::filesystem::create_directories(journal.parent_path());
  write_file_atomically(journal, fmt::format("{} {}\n", entry.uuid, entry.milliwatts));
}

std::optional<JournalEntry> read_journal(const std::filesystem::path& journal) {
  std::ifstream in(journal);
  if (!in) return std::nullopt;
  JournalEntry entry;
  if (!(in >> entry.uuid >> entry.milliwatts))
    throw IoError(fmt::format("{}: expected 'GPU-UUID MILLIWATTS', the GPU power limit to put back",
                              journal.string()));
  return entry;
}

std::string watts_text(unsigned milliwatts) {
  return fmt::format("{:g} W", milliwatts / 1000.0);
}

}  // namespace

std::unique_ptr<GpuPowerLimit> GpuPowerLimit::open(unsigned index, std::filesystem::path journal) {
  if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES"); visible && *visible)
    throw InputError(fmt::format(
        "gpu_power_limit_w: CUDA_VISIBLE_DEVICES is set ('{}'), so greentune cannot tell which "
        "GPU the trials train on; unset it and choose the GPU with train.device = \"cuda:N\"",
        visible));
  std::unique_ptr<GpuPowerLimit> limit(new GpuPowerLimit());
  limit->journal_ = std::move(journal);
  limit->api_ = Api::load();
  auto& api = *limit->api_;
  nvmlReturn_t rc = api.by_index(index, &api.device);
  if (rc != NVML_SUCCESS)
    throw InputError(fmt::format("gpu_power_limit_w: no GPU {}: {}", index, api.describe(rc)));
  char uuid[kUuidBuffer] = {};
  if (api.get_uuid(api.device, uuid, kUuidBuffer) == NVML_SUCCESS) limit->uuid_ = uuid;
  if (limit->uuid_.empty())
    throw InputError(fmt::format("gpu_power_limit_w: GPU {} has no UUID to journal", index));
  rc = api.get_limit(api.device, &limit->original_mw_);
  if (rc == NVML_SUCCESS) rc = api.get_range(api.device, &limit->min_mw_, &limit->max_mw_);
  // Setting the limit it has already is the one way to learn whether we may change it.
  if (rc == NVML_SUCCESS) rc = api.set_limit(api.device, limit->original_mw_);
  if (rc == NVML_ERROR_NO_PERMISSION)
    throw InputError(fmt::format(
        "gpu_power_limit_w: changing the power limit of GPU {} is not permitted: {}; run "
        "greentune as root (as nvidia-smi -pl needs)",
        index, api.describe(rc)));
  if (rc == NVML_ERROR_NOT_SUPPORTED)
    throw InputError(
        fmt::format("gpu_power_limit_w: GPU {} does not support setting its power limit: {}", index,
                    api.describe(rc)));
  if (rc != NVML_SUCCESS)
    throw InputError(fmt::format("gpu_power_limit_w: GPU {}: {}", index, api.describe(rc)));
  return limit;
}

GpuPowerLimit::~GpuPowerLimit() {
  try {
    restore();
  } catch (const std::exception&) {
    // The journal stays; the next start puts the limit back.
  }
}

int GpuPowerLimit::original_watts() const {
  return static_cast<int>(original_mw_ / 1000);
}
int GpuPowerLimit::min_watts() const {
  return static_cast<int>((min_mw_ + 999) / 1000);
}
int GpuPowerLimit::max_watts() const {
  return static_cast<int>(max_mw_ / 1000);
}

void GpuPowerLimit::set(int watts) {
  if (watts < min_watts() || watts > max_watts())
    throw InputError(fmt::format("gpu_power_limit_w = {}: GPU {} takes {} to {} W", watts, uuid_,
                                 min_watts(), max_watts()));
  const std::lock_guard lock(mutex_);
  if (!changed_) {
    write_journal(journal_, {uuid_, original_mw_});
    changed_ = true;
  }
  const nvmlReturn_t rc = api_->set_limit(api_->device, static_cast<unsigned>(watts) * 1000);
  if (rc != NVML_SUCCESS)
    throw IoError(fmt::format("setting the power limit of GPU {} to {} W: {}", uuid_, watts,
                              api_->describe(rc)));
}

void GpuPowerLimit::restore() {
  const std::lock_guard lock(mutex_);
  if (!changed_) return;
  const nvmlReturn_t rc = api_->set_limit(api_->device, original_mw_);
  if (rc != NVML_SUCCESS)
    throw IoError(fmt::format("putting the power limit of GPU {} back to {}: {} (journal: {})",
                              uuid_, watts_text(original_mw_), api_->describe(rc),
                              journal_.string()));
  std::filesystem::remove(journal_);
  changed_ = false;
}

std::filesystem::path power_limit_journal_path() {
  std::filesystem::path dir;
  if (const char* state = std::getenv("GREENTUNE_STATE_DIR"); state && *state)
    dir = state;
  else if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    dir = std::filesystem::path(xdg) / "greentune";
  else if (const char* home = std::getenv("HOME"); home && *home)
    dir = std::filesystem::path(home) / ".local" / "state" / "greentune";
  else
    dir = std::filesystem::temp_directory_path() / "greentune";
  return dir / "gpu-power-limit";
}

std::string restore_journaled_power_limit(const std::filesystem::path& journal) {
  const auto entry = read_journal(journal);
  if (!entry) return "";
  std::unique_ptr<GpuPowerLimit::Api> api;
  try {
    api = GpuPowerLimit::Api::load();
  } catch (const InputError& e) {
    throw IoError(fmt::format("{} records a GPU power limit to put back, but {}", journal.string(),
                              e.what()));
  }
  nvmlDevice_t device = nullptr;
  nvmlReturn_t rc = api->by_uuid(entry->uuid.c_str(), &device);
  if (rc == NVML_SUCCESS) rc = api->set_limit(device, entry->milliwatts);
  if (rc != NVML_SUCCESS)
    throw IoError(fmt::format("{}: putting the power limit of GPU {} back to {}: {}",
                              journal.string(), entry->uuid, watts_text(entry->milliwatts),
                              api->describe(rc)));
  std::filesystem::remove(journal);
  return fmt::format(
      "put the power limit of GPU {} back to {}, left by a greentune that did "
      "not finish",
      entry->uuid, watts_text(entry->milliwatts));
}

}  // namespace greentune::energy
