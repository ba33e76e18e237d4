#include "report/report_support.hpp"

namespace greentune::report::testing {

std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::path(GREENTUNE_TEST_BINARY_DIR) / "report-artefacts" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace greentune::report::testing
