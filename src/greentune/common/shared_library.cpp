#include "greentune/common/shared_library.hpp"

#include <fmt/format.h>

#include <utility>

#include "greentune/common/error.hpp"

namespace greentune {

SharedLibrary::SharedLibrary(std::string soname, std::string package, std::string needed_for)
    : soname_(std::move(soname)), package_(std::move(package)), needed_for_(std::move(needed_for)) {
  // RTLD_LOCAL: its symbols (and those of what it pulls in) stay out of the global scope, where
  // they could stand in for another library's of the same name.
  handle_ = ::dlopen(soname_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* reason = ::dlerror();
    throw Error(fmt::format(
        "{} needs {}, which could not be loaded ({}); it comes with the Debian "
        "package {}",
        needed_for_, soname_, reason != nullptr ? reason : "no reason given", package_));
  }
}

void* SharedLibrary::address(const char* symbol) const {
  ::dlerror();
  void* found = ::dlsym(handle_, symbol);
  if (found == nullptr) {
    const char* reason = ::dlerror();
    throw Error(fmt::format(
        "{} needs {} from {}, which lacks it ({}); install a newer Debian package {}", needed_for_,
        symbol, soname_, reason != nullptr ? reason : "no such symbol", package_));
  }
  return found;
}

}  // namespace greentune
