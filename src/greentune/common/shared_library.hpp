#pragma once
// A shared library opened when first needed (dlopen) instead of linked: libcurl, libarchive,
// OpenSSL and libpq, with what they pull in (GnuTLS, Kerberos, LDAP, ICU, ...), took more CPU to
// load than everything else `greentune --version` does, in every command, though only
// `data fetch` and a PostgreSQL store use them. Each user keeps a table of the functions it calls,
// typed from the library's own header (decltype), in a <library>_library.cpp of its room.
#include <dlfcn.h>

#include <string>

namespace greentune {

class SharedLibrary {
 public:
  // Opens `soname` ("libcurl.so.4"). When it cannot be loaded: Error naming it, the loader's
  // reason, what needs it (`needed_for`: "`greentune data fetch`") and the Debian package that
  // installs it (`package`: "libcurl4 (libcurl4t64 on Ubuntu 24.04)").
  SharedLibrary(std::string soname, std::string package, std::string needed_for);
  // Kept open for the life of the process: the functions bound from it may be called until exit.
  ~SharedLibrary() = default;
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // Sets `function` to the library's `symbol`; Error naming both when it lacks it (a library too
  // old for the header greentune was built with).
  template <typename Function>
  void bind(Function& function, const char* symbol) const {
    function = reinterpret_cast<Function>(address(symbol));
  }

 private:
  void* address(const char* symbol) const;

  std::string soname_, package_, needed_for_;
  void* handle_ = nullptr;
};

}  // namespace greentune
