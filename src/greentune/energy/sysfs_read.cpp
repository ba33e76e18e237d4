#include "greentune/energy/sysfs_read.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace greentune::energy {

FileText read_attribute(const std::filesystem::path& path) {
  FileText result;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.error = errno;
    return result;
  }
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      result.error = errno;
      break;
    }
    if (n == 0) break;
    result.text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  while (!result.text.empty() && std::strchr(" \t\r\n", result.text.back()) != nullptr) {
    result.text.pop_back();
  }
  return result;
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  while (!text.empty() && std::strchr(" \t\r\n", text.back()) != nullptr) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<uint64_t> parse_u64_auto(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
  }
  return parse_u64(text);
}

std::optional<uint64_t> read_u64(const std::filesystem::path& path) {
  FileText file = read_attribute(path);
  if (!file.ok()) return std::nullopt;
  return parse_u64(file.text);
}

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  while (!text.empty() && std::strchr(" \t\r\n", text.back()) != nullptr) text.remove_suffix(1);
  if (text.empty()) return cpus;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    size_t dash = item.find('-');
    auto first = parse_u64(item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_u64(item.substr(dash + 1));
    if (!first || !last || *last < *first || *last > 1u << 20) return std::nullopt;
    for (uint64_t cpu = *first; cpu <= *last; ++cpu) cpus.push_back(static_cast<int>(cpu));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return cpus;
}

std::string describe_errno(int error) {
  const char* name = strerrordesc_np(error);
  const char* symbol = strerrorname_np(error);
  std::string text = symbol ? symbol : ("errno " + std::to_string(error));
  if (name) text += std::string(" (") + name + ")";
  return text;
}

}  // namespace greentune::energy
