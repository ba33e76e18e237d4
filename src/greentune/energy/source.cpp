#include "greentune/energy/source.hpp"

#include <cstdlib>

namespace greentune::energy {

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::measured:
      return "measured";
    case Kind::estimated:
      return "estimated";
  }
  return "unknown";
}

SystemPaths SystemPaths::from_environment() {
  SystemPaths paths;
  auto set_from = [](const char* variable, std::filesystem::path& target) {
    const char* value = std::getenv(variable);
    if (value && *value) target = value;
  };
  set_from("GREENTUNE_SYSFS_ROOT", paths.sysfs_root);
  set_from("GREENTUNE_DEV_ROOT", paths.dev_root);
  set_from("GREENTUNE_PROC_ROOT", paths.proc_root);
  return paths;
}

}  // namespace greentune::energy
