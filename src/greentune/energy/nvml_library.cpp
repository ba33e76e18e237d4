#include "greentune/energy/nvml_library.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace greentune::energy::nvml {

std::string Library::configured_name() {
  const char* configured = std::getenv("GREENTUNE_NVML_LIBRARY");
  return configured && *configured ? configured : "libnvidia-ml.so.1";
}

std::unique_ptr<Library> Library::open(std::string& why) {
  std::unique_ptr<Library> library(new Library());
  library->name_ = configured_name();
  library->handle_ = dlopen(library->name_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library->handle_ == nullptr) {
    why = last_error();
    return nullptr;
  }
  return library;
}

Library::~Library() {
  if (initialized_ && shutdown_) shutdown_();
  if (handle_) dlclose(handle_);
}

std::string Library::last_error() {
  const char* error = dlerror();
  return error ? error : "unknown error";
}

bool Library::bind_lifetime() {
  return bind("nvmlInit_v2", init_) && bind("nvmlShutdown", shutdown_) &&
         bind("nvmlErrorString", error_string_);
}

Return Library::init() {
  const Return rc = init_();
  initialized_ = rc == kSuccess;
  return rc;
}

std::string Library::describe(Return code) const {
  const char* text = error_string_ ? error_string_(code) : nullptr;
  return fmt::format("{} (NVML code {})", text ? text : "unknown error", code);
}

}  // namespace greentune::energy::nvml
