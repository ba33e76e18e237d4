#include "greentune/energy/nvml.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "greentune/energy/nvml_library.hpp"
#include "greentune/energy/sysfs_read.hpp"

namespace greentune::energy {
namespace {

// The few NVML declarations we use beyond nvml_library.hpp's.
using nvmlReturn_t = nvml::Return;
using nvmlDevice_t = nvml::Device;
constexpr nvmlReturn_t NVML_SUCCESS = nvml::kSuccess;
constexpr unsigned kNameBuffer = 96;          // NVML_DEVICE_NAME_V2_BUFFER_SIZE
constexpr unsigned kUuidBuffer = 96;          // NVML_DEVICE_UUID_V2_BUFFER_SIZE
constexpr unsigned kFieldPowerInstant = 186;  // NVML_FI_DEV_POWER_INSTANT, milliwatts

// nvmlFieldValue_t
struct NvmlFieldValue {
  unsigned field_id = 0;
  unsigned scope_id = 0;
  long long timestamp = 0;
  long long latency_usec = 0;
  int value_type = 0;  // nvmlValueType_t
  nvmlReturn_t result = 0;
  union {
    double as_double;
    unsigned as_uint;
    unsigned long as_ulong;
    unsigned long long as_ulonglong;
    long long as_longlong;
    int as_int;
    unsigned short as_ushort;
  } value{};
};

// nvmlPciInfo_t, with room to spare should a driver write a longer version.
struct NvmlPciInfo {
  char bus_id_legacy[16] = {};
  unsigned domain = 0;
  unsigned bus = 0;
  unsigned device = 0;
  unsigned pci_device_id = 0;
  unsigned pci_subsystem_id = 0;
  char bus_id[32] = {};
  char spare[64] = {};
};

struct NvmlApi {
  std::unique_ptr<nvml::Library> library;
  nvmlReturn_t (*device_count)(unsigned*) = nullptr;
  nvmlReturn_t (*by_index)(unsigned, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*by_uuid)(const char*, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*get_uuid)(nvmlDevice_t, char*, unsigned) = nullptr;  // optional
  nvmlReturn_t (*get_name)(nvmlDevice_t, char*, unsigned) = nullptr;
  nvmlReturn_t (*total_energy)(nvmlDevice_t, unsigned long long*) = nullptr;
  nvmlReturn_t (*power_usage)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*field_values)(nvmlDevice_t, int, NvmlFieldValue*) = nullptr;  // optional
  nvmlReturn_t (*pci_info)(nvmlDevice_t, NvmlPciInfo*) = nullptr;              // optional

  std::string describe(nvmlReturn_t code) const { return library->describe(code); }
};

// The field's value in milliwatts, whatever type the driver gave it.
std::optional<double> field_number(const NvmlFieldValue& field) {
  if (field.result != NVML_SUCCESS) return std::nullopt;
  switch (field.value_type) {
    case 0:
      return field.value.as_double;
    case 1:
      return static_cast<double>(field.value.as_uint);
    case 2:
      return static_cast<double>(field.value.as_ulong);
    case 3:
      return static_cast<double>(field.value.as_ulonglong);
    case 4:
      return static_cast<double>(field.value.as_longlong);
    case 5:
      return static_cast<double>(field.value.as_int);
    case 6:
      return static_cast<double>(field.value.as_ushort);
    default:
      return std::nullopt;
  }
}

// The instantaneous power field: nvmlDeviceGetPowerUsage averages over a second on recent GPUs,
// which smears the power between two polls; this field is the reading of the moment.
std::optional<double> instant_power_mw(const NvmlApi& api, nvmlDevice_t device) {
  if (!api.field_values) return std::nullopt;
  NvmlFieldValue field;
  field.field_id = kFieldPowerInstant;
  if (api.field_values(device, 1, &field) != NVML_SUCCESS) return std::nullopt;
  return field_number(field);
}

struct Gpu {
  nvmlDevice_t device = nullptr;
  bool counter = false;
  bool instant = false;  // polls the instantaneous power field, else nvmlDeviceGetPowerUsage
  // Power polling: trapezoid integral since the source opened, in millijoules.
  double integral_mj = 0;
  double last_mw = 0;
  std::chrono::steady_clock::time_point last_time;
  bool have_last = false;
};

class NvmlSource final : public Source {
 public:
  NvmlSource(std::unique_ptr<NvmlApi> api, std::vector<Gpu> gpus, std::vector<DomainInfo> domains)
      : api_(std::move(api)), gpus_(std::move(gpus)), domains_(std::move(domains)) {
    for (auto& gpu : gpus_) {
      if (!gpu.counter) poll(gpu);  // the integral starts now
    }
  }

  std::string name() const override { return "nvml"; }
  std::vector<DomainInfo> domains() const override { return domains_; }

  // A polled GPU is only as accurate as its samples are dense: GPU power swings within a
  // second (kernel launches, data loading), so ask for reads at least every 250 ms.
  std::chrono::milliseconds max_read_interval() const override {
    for (const auto& gpu : gpus_) {
      if (!gpu.counter) return std::chrono::milliseconds(250);
    }
    return std::chrono::hours(1);
  }

  std::vector<CounterRead> read() override {
    std::vector<CounterRead> reads;
    for (auto& gpu : gpus_) {
      CounterRead read;
      read.wraps_at = 0;
      read.joules_per_unit = 1e-3;
      if (gpu.counter) {
        unsigned long long mj = 0;
        read.ok = api_->total_energy(gpu.device, &mj) == NVML_SUCCESS;
        read.value = read.ok ? mj : 0;
      } else {
        read.ok = poll(gpu);
        read.value = read.ok ? static_cast<uint64_t>(std::llround(gpu.integral_mj)) : 0;
      }
      reads.push_back(read);
    }
    return reads;
  }

 private:
  // Each step runs between two real power samples; after a failed sample the next good one
  // closes the gap from the last good one.
  bool poll(Gpu& gpu) {
    double mw = 0;
    auto now = std::chrono::steady_clock::now();
    if (gpu.instant) {
      auto instant = instant_power_mw(*api_, gpu.device);
      if (!instant) return false;
      mw = *instant;
    } else {
      unsigned usage = 0;
      if (api_->power_usage(gpu.device, &usage) != NVML_SUCCESS) return false;
      mw = usage;
    }
    if (gpu.have_last) {
      double seconds = std::chrono::duration<double>(now - gpu.last_time).count();
      gpu.integral_mj += (gpu.last_mw + mw) / 2 * seconds;
    }
    gpu.last_mw = mw;
    gpu.last_time = now;
    gpu.have_last = true;
    return true;
  }

  std::unique_ptr<NvmlApi> api_;
  std::vector<Gpu> gpus_;
  std::vector<DomainInfo> domains_;
};

struct Visible {
  std::vector<nvmlDevice_t> devices;
  std::vector<std::string> notes;
  std::string order_warning;  // set when the numbering may not be CUDA's
};

std::optional<nvmlDevice_t> device_by_uuid(const NvmlApi& api, const std::string& uuid,
                                           unsigned count) {
  nvmlDevice_t device = nullptr;
  if (api.by_uuid(uuid.c_str(), &device) == NVML_SUCCESS) return device;
  // CUDA accepts a unique prefix of the UUID; NVML wants it whole.
  if (!api.get_uuid) return std::nullopt;
  std::optional<nvmlDevice_t> found;
  for (unsigned i = 0; i < count; ++i) {
    char text[kUuidBuffer] = {};
    if (api.by_index(i, &device) != NVML_SUCCESS) continue;
    if (api.get_uuid(device, text, kUuidBuffer) != NVML_SUCCESS) continue;
    if (std::string_view(text).rfind(uuid, 0) == 0) {
      if (found) return std::nullopt;  // ambiguous
      found = device;
    }
  }
  return found;
}

std::string device_name(const NvmlApi& api, nvmlDevice_t device) {
  char name[kNameBuffer] = {};
  return api.get_name(device, name, kNameBuffer) == NVML_SUCCESS ? std::string(name)
                                                                 : "unnamed GPU";
}

std::optional<NvmlPciInfo> pci_of(const NvmlApi& api, nvmlDevice_t device) {
  NvmlPciInfo info;
  if (!api.pci_info || api.pci_info(device, &info) != NVML_SUCCESS) return std::nullopt;
  info.bus_id[sizeof info.bus_id - 1] = '\0';
  return info;
}

// The GPUs in the order CUDA numbers them, as far as NVML can tell. CUDA numbers devices fastest
// first unless CUDA_DEVICE_ORDER=PCI_BUS_ID, and fastest first breaks ties by PCI bus id, so PCI
// bus order is CUDA's order whenever CUDA_DEVICE_ORDER=PCI_BUS_ID or all GPUs are one model. For
// a mix of models without PCI_BUS_ID, CUDA's heuristic decides, which NVML cannot see: the order
// is then PCI bus order with a warning that says how to make the two agree.
struct CudaOrder {
  std::vector<nvmlDevice_t> devices;
  std::vector<std::string> notes;
  std::string warning;
};

CudaOrder cuda_order(const NvmlApi& api, unsigned count) {
  struct Entry {
    nvmlDevice_t device;
    std::optional<NvmlPciInfo> pci;
    std::string name;
    unsigned index;
  };
  std::vector<Entry> entries;
  CudaOrder order;
  for (unsigned i = 0; i < count; ++i) {
    nvmlDevice_t device = nullptr;
    nvmlReturn_t rc = api.by_index(i, &device);
    if (rc != NVML_SUCCESS) {
      order.notes.push_back("GPU " + std::to_string(i) + ": " + api.describe(rc));
      continue;
    }
    entries.push_back({device, pci_of(api, device), device_name(api, device), i});
  }
  const bool all_pci =
      std::all_of(entries.begin(), entries.end(), [](const Entry& e) { return e.pci.has_value(); });
  if (all_pci) {
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return std::tie(a.pci->domain, a.pci->bus, a.pci->device) <
             std::tie(b.pci->domain, b.pci->bus, b.pci->device);
    });
  }
  const bool mixed = std::any_of(entries.begin(), entries.end(),
                                 [&](const Entry& e) { return e.name != entries.front().name; });
  const char* setting = std::getenv("CUDA_DEVICE_ORDER");
  const std::string device_order = setting ? setting : "";
  if (mixed && device_order != "PCI_BUS_ID") {
    order.warning =
        "CUDA_DEVICE_ORDER is " + (setting ? "'" + device_order + "'" : std::string("not set")) +
        ", so CUDA numbers these different GPU models fastest first, by a heuristic NVML cannot "
        "see; GPU numbers here follow " +
        (all_pci ? "PCI bus order" : "NVML's order") +
        " and may name another GPU than CUDA does: run the program with "
        "CUDA_DEVICE_ORDER=PCI_BUS_ID so both agree";
  }
  for (const auto& entry : entries) order.devices.push_back(entry.device);
  return order;
}

// CUDA_VISIBLE_DEVICES as CUDA reads it: indices into CUDA's order, or GPU UUIDs (whole or a
// unique prefix); the list ends at the first entry that names no device.
Visible visible_devices(const NvmlApi& api, unsigned count) {
  Visible visible;
  CudaOrder order = cuda_order(api, count);
  visible.notes = order.notes;
  visible.order_warning = order.warning;
  const char* variable = std::getenv("CUDA_VISIBLE_DEVICES");
  if (!variable) {
    visible.devices = order.devices;
    return visible;
  }
  std::string_view list(variable);
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string entry(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.erase(entry.begin());
    while (!entry.empty() && entry.back() == ' ') entry.pop_back();
    std::optional<nvmlDevice_t> device;
    if (entry.rfind("GPU-", 0) == 0) {
      device = device_by_uuid(api, entry, count);
    } else if (auto index = parse_u64(entry); index && *index < order.devices.size()) {
      device = order.devices[*index];
    }
    if (!device) {
      std::string why = entry.rfind("MIG-", 0) == 0 ? "MIG instances have no energy reading"
                                                    : "names no GPU NVML knows";
      visible.notes.push_back("CUDA_VISIBLE_DEVICES entry '" + entry + "' " + why +
                              "; it and the entries after it are ignored, as CUDA does");
      break;
    }
    visible.devices.push_back(*device);
  }
  return visible;
}

}  // namespace

std::unique_ptr<Source> open_nvml(ProbeResult& result) {
  result = ProbeResult{};
  result.source = "nvml";
  auto api = std::make_unique<NvmlApi>();
  std::string load_error;
  api->library = nvml::Library::open(load_error);
  if (!api->library) {
    result.reason = "cannot load " + nvml::Library::configured_name() + ": " + load_error +
                    " (no NVIDIA driver here; if the library is elsewhere, set "
                    "GREENTUNE_NVML_LIBRARY to its path)";
    return nullptr;
  }
  const nvml::Library& library = *api->library;
  bool bound = api->library->bind_lifetime() &&
               library.bind("nvmlDeviceGetCount_v2", api->device_count) &&
               library.bind("nvmlDeviceGetHandleByIndex_v2", api->by_index) &&
               library.bind("nvmlDeviceGetHandleByUUID", api->by_uuid) &&
               library.bind("nvmlDeviceGetName", api->get_name) &&
               library.bind("nvmlDeviceGetTotalEnergyConsumption", api->total_energy) &&
               library.bind("nvmlDeviceGetPowerUsage", api->power_usage);
  if (!bound) {
    result.reason = library.name() + " lacks an NVML entry point greentune needs (" +
                    nvml::Library::last_error() + "): the driver is too old";
    return nullptr;
  }
  library.bind("nvmlDeviceGetUUID", api->get_uuid);
  library.bind("nvmlDeviceGetFieldValues", api->field_values);
  if (!library.bind("nvmlDeviceGetPciInfo_v3", api->pci_info)) {
    library.bind("nvmlDeviceGetPciInfo_v2", api->pci_info);
  }

  nvmlReturn_t rc = api->library->init();
  if (rc != NVML_SUCCESS) {
    result.reason = "nvmlInit_v2 failed: " + api->describe(rc) +
                    " (is the NVIDIA driver loaded? nvidia-smi should list the GPUs)";
    return nullptr;
  }
  unsigned count = 0;
  rc = api->device_count(&count);
  if (rc != NVML_SUCCESS) {
    result.reason = "nvmlDeviceGetCount_v2 failed: " + api->describe(rc);
    return nullptr;
  }
  if (count == 0) {
    result.reason = "NVML reports no GPU";
    return nullptr;
  }
  Visible visible = visible_devices(*api, count);
  if (visible.devices.empty()) {
    const char* selection = std::getenv("CUDA_VISIBLE_DEVICES");
    result.reason = "no GPU is visible: CUDA_VISIBLE_DEVICES='" +
                    std::string(selection ? selection : "") + "' selects none of the " +
                    std::to_string(count) + " GPUs";
    for (const auto& note : visible.notes) result.reason += "; " + note;
    return nullptr;
  }

  std::vector<Gpu> gpus;
  std::vector<DomainInfo> domains;
  std::vector<std::string> notes = visible.notes;
  for (size_t i = 0; i < visible.devices.size(); ++i) {
    Gpu gpu;
    gpu.device = visible.devices[i];
    std::string gpu_name = device_name(*api, gpu.device);
    if (auto pci = pci_of(*api, gpu.device); pci && pci->bus_id[0] != '\0') {
      gpu_name += " at PCI " + std::string(pci->bus_id);
    }
    DomainInfo info;
    info.name = "gpu-" + std::to_string(i);
    info.source = "nvml";
    info.kind = Kind::measured;
    // The counter (Volta and later) is exact; trust it when the call works and has counted
    // something (a zero total means a driver that answers but does not count).
    unsigned long long mj = 0;
    nvmlReturn_t energy_rc = api->total_energy(gpu.device, &mj);
    if (energy_rc == NVML_SUCCESS && mj > 0) {
      gpu.counter = true;
      info.method = "NVML total energy counter, " + gpu_name;
    } else {
      std::string reading;
      if (instant_power_mw(*api, gpu.device)) {
        gpu.instant = true;
        reading = "instantaneous power field (NVML_FI_DEV_POWER_INSTANT)";
      } else {
        unsigned mw = 0;
        nvmlReturn_t power_rc = api->power_usage(gpu.device, &mw);
        if (power_rc != NVML_SUCCESS) {
          notes.push_back(info.name + " (" + gpu_name + ") skipped: no energy counter and no " +
                          "power reading: " + api->describe(power_rc));
          continue;
        }
        reading = "nvmlDeviceGetPowerUsage, which recent GPUs average over 1 s";
      }
      std::string why = energy_rc == NVML_SUCCESS
                            ? "the energy counter reads 0"
                            : "no energy counter: " + api->describe(energy_rc);
      info.method =
          "NVML power polling, trapezoid, " + gpu_name + " (" + why + "; " + reading + ")";
    }
    if (!visible.order_warning.empty()) info.method += "; " + visible.order_warning;
    gpus.push_back(gpu);
    domains.push_back(info);
  }
  if (gpus.empty()) {
    result.reason = "no visible GPU gives energy or power";
    for (const auto& note : notes) result.reason += "; " + note;
    return nullptr;
  }
  auto source = std::make_unique<NvmlSource>(std::move(api), std::move(gpus), domains);
  result.usable = true;
  result.domains = std::move(domains);
  if (!visible.order_warning.empty()) notes.push_back(visible.order_warning);
  for (size_t i = 0; i < notes.size(); ++i) result.reason += (i ? "; " : "") + notes[i];
  return source;
}

}  // namespace greentune::energy
