// A stand-in for libnvidia-ml.so.1, scripted by the file named in GREENTUNE_NVML_SHIM_SCRIPT
// (read at every nvmlInit_v2), one line per fact:
//   init CODE                                   nvmlInit_v2 returns CODE
//   energy UUID START_MJ STEP_MJ NAME...        counter: START, START+STEP, ... on each call
//   ramp UUID BASE_MW SLOPE_MW_PER_S T0 NAME... no counter (NOT_SUPPORTED); power at monotonic
//                                               time t is BASE + SLOPE * (t - T0)
//   zero UUID BASE_MW SLOPE_MW_PER_S T0 NAME... like ramp, but the counter answers 0
//   nopower UUID NAME...                        neither energy nor power
#include <time.h>

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
};

namespace {

int g_init_code = 0;
bool g_initialized = false;
std::vector<nvmlDevice_st> g_devices;

constexpr int kSuccess = 0, kUninitialized = 1, kInvalidArgument = 2, kNotSupported = 3,
              kNotFound = 6, kInsufficientSize = 7;

void load_script() {
  g_init_code = 0;
  g_devices.clear();
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

int copy_text(const std::string& text, char* out, unsigned length) {
  if (!out || text.size() + 1 > length) return kInsufficientSize;
  std::memcpy(out, text.c_str(), text.size() + 1);
  return kSuccess;
}

}  // namespace

extern "C" {

int nvmlInit_v2() {
  load_script();
  if (g_init_code != kSuccess) return g_init_code;
  g_initialized = true;
  return kSuccess;
}

int nvmlShutdown() {
  if (!g_initialized) return kUninitialized;
  g_initialized = false;
  return kSuccess;
}

const char* nvmlErrorString(int code) {
  switch (code) {
    case kSuccess:
      return "Success";
    case kNotSupported:
      return "Not Supported";
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
  return copy_text(device->uuid, uuid, length);
}

int nvmlDeviceGetName(nvmlDevice_st* device, char* name, unsigned length) {
  return copy_text(device->name, name, length);
}

int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_st* device, unsigned long long* energy) {
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
  if (device->kind == "energy") {
    *milliwatts = 50000;
    return kSuccess;
  }
  if (device->kind != "ramp" && device->kind != "zero") return kNotSupported;
  *milliwatts =
      static_cast<unsigned>(device->base + device->slope * (monotonic_seconds() - device->t0));
  return kSuccess;
}

}  // extern "C"
