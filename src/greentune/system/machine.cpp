#include "greentune/system/machine.hpp"

#include <dlfcn.h>
#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace greentune::system {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto start = line.find_first_not_of(" \t", colon + 1);
        return start == std::string::npos ? "" : line.substr(start);
      }
    }
  }
  return "";
}

int usable_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

int cpu_packages() {
  std::set<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/devices/system/cpu", ec)) {
    std::ifstream in(entry.path() / "topology/physical_package_id");
    std::string id;
    if (in >> id) ids.insert(id);
  }
  return static_cast<int>(ids.size());
}

// The BLAS is whatever library resolves sgemm_ in this process: LibTorch on Debian calls the
// system BLAS, and the reference BLAS is ~17x slower than OpenBLAS for our MLPs.
std::string blas_library() {
  void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
  if (!symbol) return "none loaded";
  Dl_info info{};
  if (!dladdr(symbol, &info) || !info.dli_fname) return "unknown";
  std::error_code ec;
  auto resolved = std::filesystem::canonical(info.dli_fname, ec);
  std::string path = ec ? info.dli_fname : resolved.string();
  if (path.find("openblas") != std::string::npos) return "OpenBLAS (" + path + ")";
  if (path.find("blis") != std::string::npos) return "BLIS (" + path + ")";
  if (path.find("mkl") != std::string::npos) return "MKL (" + path + ")";
  if (path.find("atlas") != std::string::npos) return "ATLAS (" + path + ")";
  if (path.find("/blas/") != std::string::npos) return "reference BLAS, slow (" + path + ")";
  return path;
}

std::string allocator_name() {
  if (dlsym(RTLD_DEFAULT, "mallctl")) return "jemalloc";
  if (dlsym(RTLD_DEFAULT, "tc_malloc")) return "tcmalloc";
  return "glibc malloc";
}

}  // namespace

MachineInfo describe_machine() {
  MachineInfo info;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) info.hostname = host;
  info.cpu_model = cpu_model();
  info.logical_cpus = usable_cpus();
  info.cpu_packages = cpu_packages();
  info.blas = blas_library();
  info.allocator = allocator_name();
  utsname name{};
  if (uname(&name) == 0) info.kernel = name.release;
  return info;
}

}  // namespace greentune::system
