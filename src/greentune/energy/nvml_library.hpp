#pragma once
// The NVIDIA driver's NVML library, opened at run time (nvml.h is not installed, and greentune must
// run where no driver is; the part of the ABI used here is stable). One place for what the energy
// source (nvml.cpp) and the GPU power limit (gpu_power_limit.cpp) both need: finding and opening
// the library, nvmlInit_v2 / nvmlShutdown, the error text of a return code and binding symbols.
// GREENTUNE_NVML_LIBRARY names another library (the tests' NVML shim, or a driver elsewhere).
#include <dlfcn.h>

#include <memory>
#include <string>

namespace greentune::energy::nvml {

using Return = int;  // nvmlReturn_t
struct DeviceStruct;
using Device = DeviceStruct*;  // nvmlDevice_t
constexpr Return kSuccess = 0;

class Library {
 public:
  // nullptr with `why` set to the loader's reason when the library cannot be opened.
  static std::unique_ptr<Library> open(std::string& why);
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  // The file to open: GREENTUNE_NVML_LIBRARY, else libnvidia-ml.so.1.
  static std::string configured_name();
  const std::string& name() const { return name_; }

  // Points `target` at `symbol`; false (target null) when the library lacks it.
  template <typename F>
  bool bind(const char* symbol, F& target) const {
    target = reinterpret_cast<F>(dlsym(handle_, symbol));
    return target != nullptr;
  }
  // The loader's reason for the last failed bind.
  static std::string last_error();

  // Binds nvmlInit_v2, nvmlShutdown and nvmlErrorString, false when one is missing.
  bool bind_lifetime();
  // nvmlInit_v2; on success nvmlShutdown runs when the library is closed.
  Return init();
  // "Insufficient Permissions (NVML code 4)".
  std::string describe(Return code) const;

 private:
  Library() = default;
  void* handle_ = nullptr;
  std::string name_;
  bool initialized_ = false;
  Return (*init_)() = nullptr;
  Return (*shutdown_)() = nullptr;
  const char* (*error_string_)(Return) = nullptr;
};

}  // namespace greentune::energy::nvml
