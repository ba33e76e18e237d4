#pragma once
// Helpers shared by the report tests: a fresh temporary directory and simple text counting.
#include <filesystem>
#include <string>

namespace greentune::report::testing {

// A new, empty directory under the build tree (kept for inspection after the test).
std::filesystem::path fresh_dir(const std::string& name);
size_t count(const std::string& text, const std::string& needle);

}  // namespace greentune::report::testing
