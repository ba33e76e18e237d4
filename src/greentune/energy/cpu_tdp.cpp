#include "greentune/energy/cpu_tdp.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <sstream>

namespace greentune::resources {
extern const unsigned char cpu_power_csv[];
}

namespace greentune::energy {
namespace {

struct IndexedEntry {
  TdpEntry entry;
  std::string normalized;
  std::vector<std::string> words;  // sorted, unique
  bool has_model_number = false;
};

std::vector<std::string> split_words(const std::string& normalized) {
  std::vector<std::string> words;
  std::istringstream in(normalized);
  for (std::string word; in >> word;) words.push_back(word);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

// One CSV field: quoted ("a, b") or plain.
std::string_view next_field(std::string_view& line) {
  if (!line.empty() && line.front() == '"') {
    auto close = line.find('"', 1);
    if (close == std::string_view::npos) close = line.size();
    std::string_view field = line.substr(1, close - 1);
    line.remove_prefix(std::min(line.size(), close + 1));
    if (!line.empty() && line.front() == ',') line.remove_prefix(1);
    return field;
  }
  auto comma = line.find(',');
  std::string_view field = line.substr(0, comma);
  line.remove_prefix(comma == std::string_view::npos ? line.size() : comma + 1);
  return field;
}

std::vector<IndexedEntry> parse_table() {
  std::vector<IndexedEntry> table;
  std::string_view csv(reinterpret_cast<const char*>(resources::cpu_power_csv));
  bool header = true;
  while (!csv.empty()) {
    auto newline = csv.find('\n');
    std::string_view line = csv.substr(0, newline);
    csv.remove_prefix(newline == std::string_view::npos ? csv.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (header || line.empty()) {
      header = false;
      continue;
    }
    std::string_view name = next_field(line);
    std::string tdp_text(next_field(line));
    double watts = 0;
    try {
      watts = std::stod(tdp_text);
    } catch (const std::exception&) {
      continue;  // the table is compiled in; a malformed row is skipped, not fatal
    }
    if (watts <= 0) continue;
    IndexedEntry indexed;
    indexed.entry = {std::string(name), watts};
    indexed.normalized = normalize_cpu_name(name);
    indexed.words = split_words(indexed.normalized);
    indexed.has_model_number = std::any_of(indexed.words.begin(), indexed.words.end(), [](auto& w) {
      return std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); });
    });
    table.push_back(std::move(indexed));
  }
  return table;
}

const std::vector<IndexedEntry>& indexed_table() {
  static const std::vector<IndexedEntry> table = parse_table();
  return table;
}

}  // namespace

const std::vector<TdpEntry>& cpu_tdp_table() {
  static const std::vector<TdpEntry> entries = [] {
    std::vector<TdpEntry> out;
    for (const auto& indexed : indexed_table()) out.push_back(indexed.entry);
    return out;
  }();
  return entries;
}

std::string normalize_cpu_name(std::string_view name) {
  std::string text;
  for (unsigned char c : name) text += static_cast<char>(std::tolower(c));
  static const std::regex noise(
      R"(\(r\)|\(tm\)|®|™|@\s*[0-9.]+\s*[gm]hz|\b[0-9]+-core\b|\bprocessor\b|\bcpu\b|,)");
  text = std::regex_replace(text, noise, " ");
  std::istringstream in(text);
  std::string out;
  for (std::string word; in >> word;) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::optional<TdpEntry> match_cpu_tdp(std::string_view cpu_model) {
  const std::string normalized = normalize_cpu_name(cpu_model);
  if (normalized.empty()) return std::nullopt;
  const auto& table = indexed_table();
  for (const auto& indexed : table) {
    if (indexed.normalized == normalized) return indexed.entry;
  }
  const std::vector<std::string> words = split_words(normalized);
  const IndexedEntry* best = nullptr;
  for (const auto& indexed : table) {
    if (!indexed.has_model_number) continue;
    if (!std::includes(words.begin(), words.end(), indexed.words.begin(), indexed.words.end())) {
      continue;
    }
    if (!best || indexed.words.size() > best->words.size() ||
        (indexed.words.size() == best->words.size() &&
         indexed.normalized.size() > best->normalized.size())) {
      best = &indexed;
    }
  }
  if (!best) return std::nullopt;
  return best->entry;
}

}  // namespace greentune::energy
