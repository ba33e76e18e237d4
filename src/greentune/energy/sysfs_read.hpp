#pragma once
// Small, honest readers for kernel attribute files: a failed read or a value that is not a
// number is reported as such, never turned into 0.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greentune::energy {

struct FileText {
  std::string text;  // trailing whitespace (the kernel's newline) removed
  int error = 0;     // errno of the failed open/read; 0 on success
  bool ok() const { return error == 0; }
};

FileText read_attribute(const std::filesystem::path& path);

// A whole decimal unsigned number ("123", optional trailing whitespace), nothing else.
std::optional<uint64_t> parse_u64(std::string_view text);
// "0x1f" or "31".
std::optional<uint64_t> parse_u64_auto(std::string_view text);
std::optional<uint64_t> read_u64(const std::filesystem::path& path);

// A kernel CPU list ("0", "0,18", "0-3,8-11"); nullopt when malformed.
std::optional<std::vector<int>> parse_cpu_list(std::string_view text);

// "EACCES (Permission denied)" style, for reasons shown to users.
std::string describe_errno(int error);

}  // namespace greentune::energy
