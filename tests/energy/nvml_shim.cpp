// A stand-in for libnvidia-ml.so.1, scripted by the file named in GREENTUNE_NVML_SHIM_SCRIPT
// (read at every nvmlInit_v2), one line per fact:
//   init CODE                                   nvmlInit_v2 returns CODE
//   energy UUID START_MJ STEP_MJ NAME...        counter: START, START+STEP, ... on each call
//   ramp UUID BASE_MW SLOPE_MW_PER_S T0 NAME... no counter (NOT_SUPPORTED); power at monotonic
//                                               time t is BASE + SLOPE * (t - T0)
//   zero UUID BASE_MW SLOPE_MW_PER_S T0 NAME... like ramp, but the counter answers 0
//   nopower UUID NAME...                        neither energy nor power
//   pci UUID BUS_ID                             the device (declared above) sits at this PCI bus
//                                               id, "DDDDDDDD:BB:DD.F" in hex; without one,
//                                               nvmlDeviceGetPciInfo_v3 answers NOT_SUPPORTED
//   instant UUID                                the device (ramp or zero) answers the
//                                               NVML_FI_DEV_POWER_INSTANT field with its ramp
//   limit UUID CURRENT_MW MIN_MW MAX_MW [denied|unsupported]
//                                               the device's power limit and the board's range;
//                                               denied: setting answers NO_PERMISSION (not root),
//                                               unsupported: every limit call NOT_SUPPORTED.
//                                               Without this line the limit calls answer
//                                               NOT_SUPPORTED. Set calls log "... UUID MW".
//   hold FILE                                   while a device's power limit differs from its
//                                               "limit" line's (a trial runs under the limit
//                                               greentune set), its energy and power reads create
//                                               FILE and then wait (at most 120 s): a test can
//                                               interrupt greentune in the middle of that trial
// Devices are numbered (nvmlDeviceGetHandleByIndex_v2) in the order of their lines.
// As in NVML, nvmlInit_v2 and nvmlShutdown are counted: the script is read by the first init
// (and again after the last shutdown), so handles stay valid while the energy source and the
// power limit of one process both hold the library.
// When GREENTUNE_NVML_SHIM_LOG names a file, every device call appends "FUNCTION UUID" to it, so
// tests see which entry points were used.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

struct nvmlDevice_st {
  std::string kind;
  std::string uuid;
  std::string name;
  unsigned long long energy = 0;
  unsigned long long step = 0;
  double base = 0, slope = 0, t0 = 0;
  std::string pci;  // "" = unknown
  bool instant = false;
  bool limit = false;  // has a power limit (a "limit" line)
  std::string limit_mode;
  unsigned limit_mw = 0, limit_min_mw = 0, limit_max_mw = 0;
  unsigned scripted_limit_mw = 0;  // what the "limit" line gave
};

// The layouts of nvml.h's nvmlFieldValue_t and nvmlPciInfo_t.
struct ShimFieldValue {
  unsigned fieldId;
  unsigned scopeId;
  long long timestamp;
  long long latencyUsec;
  int valueType;
  int nvmlReturn;
  union {
    double dVal;
    unsigned uiVal;
    unsigned long ulVal;
    unsigned long long ullVal;
    long long sllVal;
    int siVal;
    unsigned short usVal;
  } value;
};

struct ShimPciInfo {
  char busIdLegacy[16];
  unsigned domain;
  unsigned bus;
  unsigned device;
  unsigned pciDeviceId;
  unsigned pciSubSystemId;
  char busId[32];
};

namespace {

int g_init_code = 0;
int g_init_count = 0;
bool g_initialized = false;
std::string g_hold_file;
std::vector<nvmlDevice_st> g_devices;

constexpr int kSuccess = 0, kUninitialized = 1, kInvalidArgument = 2, kNotSupported = 3,
              kNoPermission = 4, kNotFound = 6, kInsufficientSize = 7;
constexpr unsigned kFieldPowerInstant = 186;

nvmlDevice_st* find(const std::string& uuid) {
  for (auto& d : g_devices) {
    if (d.uuid == uuid) return &d;
  }
  return nullptr;
}

void log_call(const char* function, const nvmlDevice_st* device) {
  const char* path = std::getenv("GREENTUNE_NVML_SHIM_LOG");
  if (!path) return;
  if (std::FILE* log = std::fopen(path, "a")) {
    std::fprintf(log, "%s %s\n", function, device ? device->uuid.c_str() : "-");
    std::fclose(log);
  }
}

void load_script() {
  g_init_code = 0;
  g_devices.clear();
  g_hold_file.clear();
  const char* path = std::getenv("GREENTUNE_NVML_SHIM_SCRIPT");
  if (!path) return;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "init") {
      words >> g_init_code;
      continue;
    }
    if (kind == "limit") {
      std::string uuid;
      words >> uuid;
      if (nvmlDevice_st* device = find(uuid)) {
        device->limit = true;
        words >> device->limit_mw >> device->limit_min_mw >> device->limit_max_mw;
        words >> device->limit_mode;
        device->scripted_limit_mw = device->limit_mw;
      }
      continue;
    }
    if (kind == "hold") {
      words >> g_hold_file;
      continue;
    }
    if (kind == "pci" || kind == "instant") {
      std::string uuid;
      words >> uuid;
      nvmlDevice_st* device = find(uuid);
      if (!device) continue;
      if (kind == "pci") words >> device->pci;
      if (kind == "instant") device->instant = true;
      continue;
    }
    nvmlDevice_st device;
    device.kind = kind;
    words >> device.uuid;
    if (kind == "energy") words >> device.energy >> device.step;
    if (kind == "ramp" || kind == "zero") words >> device.base >> device.slope >> device.t0;
    std::getline(words >> std::ws, device.name);
    if (!kind.empty()) g_devices.push_back(device);
  }
}

double monotonic_seconds() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

unsigned ramp_milliwatts(const nvmlDevice_st& device) {
  return static_cast<unsigned>(device.base + device.slope * (monotonic_seconds() - device.t0));
}

// The "hold" directive: the reading thread stops here for the test to act.
void hold_while_limited(const nvmlDevice_st& device) {
  if (g_hold_file.empty() || !device.limit || device.limit_mw == device.scripted_limit_mw) return;
  const int fd = ::open(g_hold_file.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd >= 0) ::close(fd);
  const timespec tick{0, 10'000'000};
  for (int i = 0; i < 12'000; ++i) nanosleep(&tick, nullptr);
}

int copy_text(const std::string& text, char* out, unsigned length) {
  if (!out || text.size() + 1 > length) return kInsufficientSize;
  std::memcpy(out, text.c_str(), text.size() + 1);
  return kSuccess;
}

}  // namespace

extern "C" {

int nvmlInit_v2() {
  if (g_init_count == 0) {
    load_script();
    if (g_init_code != kSuccess) return g_init_code;
  }
  ++g_init_count;
  g_initialized = true;
  return kSuccess;
}

int nvmlShutdown() {
  if (g_init_count == 0) return kUninitialized;
  g_initialized = --g_init_count > 0;
  return kSuccess;
}

const char* nvmlErrorString(int code) {
  switch (code) {
    case kSuccess:
      return "Success";
    case kNotSupported:
      return "Not Supported";
    case kNoPermission:
      return "Insufficient Permissions";
    case 9:
      return "Driver Not Loaded";
    default:
      return "Unknown Error";
  }
}

int nvmlDeviceGetCount_v2(unsigned* count) {
  if (!g_initialized) return kUninitialized;
  *count = static_cast<unsigned>(g_devices.size());
  return kSuccess;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned index, nvmlDevice_st** device) {
  if (!g_initialized) return kUninitialized;
  if (index >= g_devices.size()) return kInvalidArgument;
  *device = &g_devices[index];
  return kSuccess;
}

int nvmlDeviceGetHandleByUUID(const char* uuid, nvmlDevice_st** device) {
  if (!g_initialized) return kUninitialized;
  for (auto& d : g_devices) {
    if (d.uuid == uuid) {
      *device = &d;
      return kSuccess;
    }
  }
  return kNotFound;
}

int nvmlDeviceGetUUID(nvmlDevice_st* device, char* uuid, unsigned length) {
  log_call("nvmlDeviceGetUUID", device);
  return copy_text(device->uuid, uuid, length);
}

int nvmlDeviceGetName(nvmlDevice_st* device, char* name, unsigned length) {
  log_call("nvmlDeviceGetName", device);
  return copy_text(device->name, name, length);
}

int nvmlDeviceGetPciInfo_v3(nvmlDevice_st* device, ShimPciInfo* pci) {
  log_call("nvmlDeviceGetPciInfo_v3", device);
  if (device->pci.empty()) return kNotSupported;
  std::memset(pci, 0, sizeof *pci);
  unsigned function = 0;
  if (std::sscanf(device->pci.c_str(), "%x:%x:%x.%x", &pci->domain, &pci->bus, &pci->device,
                  &function) != 4) {
    return kInvalidArgument;
  }
  copy_text(device->pci, pci->busId, sizeof pci->busId);
  copy_text(device->pci.substr(4), pci->busIdLegacy, sizeof pci->busIdLegacy);
  return kSuccess;
}

int nvmlDeviceGetFieldValues(nvmlDevice_st* device, int count, ShimFieldValue* values) {
  log_call("nvmlDeviceGetFieldValues", device);
  if (count < 0 || (count > 0 && !values)) return kInvalidArgument;
  for (int i = 0; i < count; ++i) {
    ShimFieldValue& field = values[i];
    if (field.fieldId == kFieldPowerInstant && device->instant) {
      field.valueType = 1;  // NVML_VALUE_TYPE_UNSIGNED_INT
      field.value.uiVal = ramp_milliwatts(*device);
      field.nvmlReturn = kSuccess;
    } else {
      field.nvmlReturn = kNotSupported;
    }
  }
  return kSuccess;
}

int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_st* device, unsigned long long* energy) {
  log_call("nvmlDeviceGetTotalEnergyConsumption", device);
  hold_while_limited(*device);
  if (device->kind == "zero") {
    *energy = 0;
    return kSuccess;
  }
  if (device->kind != "energy") return kNotSupported;
  *energy = device->energy;
  device->energy += device->step;
  return kSuccess;
}

int nvmlDeviceGetPowerUsage(nvmlDevice_st* device, unsigned* milliwatts) {
  log_call("nvmlDeviceGetPowerUsage", device);
  hold_while_limited(*device);
  if (device->kind == "energy") {
    *milliwatts = 50000;
    return kSuccess;
  }
  if (device->kind != "ramp" && device->kind != "zero") return kNotSupported;
  *milliwatts = ramp_milliwatts(*device);
  return kSuccess;
}

static bool has_limit(const nvmlDevice_st* device) {
  return device->limit && device->limit_mode != "unsupported";
}

int nvmlDeviceGetPowerManagementLimit(nvmlDevice_st* device, unsigned* milliwatts) {
  log_call("nvmlDeviceGetPowerManagementLimit", device);
  if (!has_limit(device)) return kNotSupported;
  *milliwatts = device->limit_mw;
  return kSuccess;
}

int nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_st* device, unsigned* min_mw,
                                                 unsigned* max_mw) {
  log_call("nvmlDeviceGetPowerManagementLimitConstraints", device);
  if (!has_limit(device)) return kNotSupported;
  *min_mw = device->limit_min_mw;
  *max_mw = device->limit_max_mw;
  return kSuccess;
}

int nvmlDeviceSetPowerManagementLimit(nvmlDevice_st* device, unsigned milliwatts) {
  if (const char* path = std::getenv("GREENTUNE_NVML_SHIM_LOG"))
    if (std::FILE* log = std::fopen(path, "a")) {
      std::fprintf(log, "nvmlDeviceSetPowerManagementLimit %s %u\n", device->uuid.c_str(),
                   milliwatts);
      std::fclose(log);
    }
  if (!has_limit(device)) return kNotSupported;
  if (device->limit_mode == "denied") return kNoPermission;
  if (milliwatts < device->limit_min_mw || milliwatts > device->limit_max_mw)
    return kInvalidArgument;
  device->limit_mw = milliwatts;
  return kSuccess;
}

}  // extern "C"
