#include "greentune/energy/cpu_name_match.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

namespace greentune::energy {
namespace {

std::vector<std::string> split_words(const std::string& normalized) {
  std::vector<std::string> words;
  std::istringstream in(normalized);
  for (std::string word; in >> word;) words.push_back(word);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

}  // namespace

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

CpuNameIndex::CpuNameIndex(const std::vector<std::string>& names) {
  keys_.reserve(names.size());
  for (const auto& name : names) {
    Key key;
    key.normalized = normalize_cpu_name(name);
    key.words = split_words(key.normalized);
    key.has_model_number = std::any_of(key.words.begin(), key.words.end(), [](auto& w) {
      return std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); });
    });
    keys_.push_back(std::move(key));
  }
}

std::optional<size_t> CpuNameIndex::match(std::string_view cpu_model) const {
  const std::string normalized = normalize_cpu_name(cpu_model);
  if (normalized.empty()) return std::nullopt;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].normalized == normalized) return i;
  }
  const std::vector<std::string> words = split_words(normalized);
  std::optional<size_t> best;
  for (size_t i = 0; i < keys_.size(); ++i) {
    const Key& key = keys_[i];
    if (!key.has_model_number) continue;
    if (!std::includes(words.begin(), words.end(), key.words.begin(), key.words.end())) continue;
    if (!best || key.words.size() > keys_[*best].words.size() ||
        (key.words.size() == keys_[*best].words.size() &&
         key.normalized.size() > keys_[*best].normalized.size())) {
      best = i;
    }
  }
  return best;
}

}  // namespace greentune::energy
