#include "greentune/energy/cpu_name_match.hpp"

#include <algorithm>
#include <cctype>

namespace greentune::energy {
namespace {

// Scanned by hand rather than with std::regex: normalizing the ~4900 names of the TDP table with
// one took 0.4 billion instructions, most of `greentune meters`.

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_word_char(char c) {  // \w of the regex this replaces: ASCII letters, digits, '_'
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_space(char c) {  // what std::istream's >> and \s split on
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Whether `word` starts at `at` and is a whole word there (\bword\b).
bool whole_word_at(std::string_view text, size_t at, std::string_view word) {
  if (at > 0 && is_word_char(text[at - 1])) return false;
  if (text.substr(at, word.size()) != word) return false;
  const size_t end = at + word.size();
  return end == text.size() || !is_word_char(text[end]);
}

// "@ 3.40ghz", "@2.4 mhz": the clock after an '@' at `at`; its length, or 0.
size_t clock_length(std::string_view text, size_t at) {
  size_t i = at + 1;
  while (i < text.size() && is_space(text[i])) ++i;
  const size_t digits = i;
  while (i < text.size() && (is_digit(text[i]) || text[i] == '.')) ++i;
  if (i == digits) return 0;
  while (i < text.size() && is_space(text[i])) ++i;
  if (i < text.size() && (text[i] == 'g' || text[i] == 'm') && text.substr(i + 1, 2) == "hz")
    return i + 3 - at;
  return 0;
}

// "8-core" as a whole word at `at`; its length, or 0.
size_t core_count_length(std::string_view text, size_t at) {
  if (at > 0 && is_word_char(text[at - 1])) return 0;
  size_t i = at;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == at || text.substr(i, 5) != "-core") return 0;
  i += 5;
  return i == text.size() || !is_word_char(text[i]) ? i - at : 0;
}

// The length of the vendor noise starting at `at` in lowercase `text`, or 0: "(r)", "(tm)", "®",
// "™", "@ 3.40ghz", "8-core", "processor", "cpu" (whole words) and commas.
size_t noise_length(std::string_view text, size_t at) {
  const std::string_view rest = text.substr(at);
  for (std::string_view mark : {"(r)", "(tm)", "\u00ae", "\u2122", ","}) {
    if (rest.starts_with(mark)) return mark.size();
  }
  if (rest.front() == '@') return clock_length(text, at);
  if (is_digit(rest.front())) return core_count_length(text, at);
  for (std::string_view word : {"processor", "cpu"}) {
    if (whole_word_at(text, at, word)) return word.size();
  }
  return 0;
}

bool has_digit(std::string_view word) {
  return std::any_of(word.begin(), word.end(), is_digit);
}

// Whether `text` holds `lowercase_word`, ignoring the case of ASCII letters in `text`.
bool contains_ignoring_case(std::string_view text, std::string_view lowercase_word) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return std::search(text.begin(), text.end(), lowercase_word.begin(), lowercase_word.end(),
                     [&](char a, char b) { return lower(a) == b; }) != text.end();
}

std::vector<std::string> split_words(std::string_view normalized) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < normalized.size()) {
    size_t end = normalized.find(' ', start);
    if (end == std::string_view::npos) end = normalized.size();
    if (end > start) words.emplace_back(normalized.substr(start, end - start));
    start = end + 1;
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

}  // namespace

std::string normalize_cpu_name(std::string_view name) {
  std::string lower;
  lower.reserve(name.size());
  for (unsigned char c : name) lower += static_cast<char>(std::tolower(c));
  // Noise and whitespace become word breaks; words are joined by single spaces.
  std::string out;
  out.reserve(lower.size());
  bool word_break = false;
  for (size_t i = 0; i < lower.size();) {
    if (const size_t noise = noise_length(lower, i); noise > 0) {
      word_break = true;
      i += noise;
    } else if (is_space(lower[i])) {
      word_break = true;
      ++i;
    } else {
      if (word_break && !out.empty()) out += ' ';
      word_break = false;
      out += lower[i++];
    }
  }
  return out;
}

CpuNameIndex::CpuNameIndex(std::vector<std::string_view> names) : names_(std::move(names)) {}

std::optional<size_t> CpuNameIndex::match(std::string_view cpu_model) const {
  const std::string normalized = normalize_cpu_name(cpu_model);
  if (normalized.empty()) return std::nullopt;
  const std::vector<std::string> words = split_words(normalized);
  // Each word of a normalized name is a piece of the name as written, so only names holding the
  // model's longest word can match it exactly, and only names holding one of its words with a
  // digit can match by their words. Only those few are normalized.
  const std::string& longest = *std::max_element(
      words.begin(), words.end(), [](auto& a, auto& b) { return a.size() < b.size(); });
  std::vector<std::string_view> model_numbers;
  for (const auto& word : words) {
    if (has_digit(word)) model_numbers.push_back(word);
  }
  std::optional<size_t> best;
  size_t best_words = 0, best_length = 0;
  for (size_t i = 0; i < names_.size(); ++i) {
    const std::string_view name = names_[i];
    const bool may_be_exact = contains_ignoring_case(name, longest);
    const bool may_hold_a_model_number =
        std::any_of(model_numbers.begin(), model_numbers.end(),
                    [&](std::string_view word) { return contains_ignoring_case(name, word); });
    if (!may_be_exact && !may_hold_a_model_number) continue;
    const std::string key = normalize_cpu_name(name);
    if (key == normalized) return i;  // the first exact match wins over any by words
    if (!may_hold_a_model_number) continue;
    const std::vector<std::string> key_words = split_words(key);
    const bool key_has_model_number = std::any_of(
        key_words.begin(), key_words.end(), [](const std::string& w) { return has_digit(w); });
    if (!key_has_model_number) continue;
    if (!std::includes(words.begin(), words.end(), key_words.begin(), key_words.end())) continue;
    if (!best || key_words.size() > best_words ||
        (key_words.size() == best_words && key.size() > best_length)) {
      best = i;
      best_words = key_words.size();
      best_length = key.size();
    }
  }
  return best;
}

}  // namespace greentune::energy
