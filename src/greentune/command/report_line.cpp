#include "greentune/command/report_line.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace greentune::command {
namespace {

// Python's json module writes NaN, Infinity and -Infinity, which JSON lacks: outside strings they
// become the strings "NaN", "Infinity", "-Infinity", which number_of() reads back.
std::optional<std::string> quote_nonfinite_literals(std::string_view line) {
  std::string out;
  out.reserve(line.size() + 16);
  bool in_string = false, changed = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < line.size()) {
        out += line[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool replaced = false;
    for (std::string_view literal : {"-Infinity", "Infinity", "NaN"}) {
      if (line.substr(i).starts_with(literal)) {
        out += '"';
        out += literal;
        out += '"';
        i += literal.size() - 1;
        replaced = changed = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  if (!changed) return std::nullopt;
  return out;
}

std::optional<double> number_of(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (text == "Infinity") return std::numeric_limits<double>::infinity();
    if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

}  // namespace

std::optional<ReportLine> parse_report_line(std::string_view line, const ReportKeys& keys) {
  const auto start = line.find_first_not_of(" \t\r");
  if (start == std::string_view::npos || line[start] != '{') return std::nullopt;  // cheap reject
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    auto fixed = quote_nonfinite_literals(line);
    if (!fixed) return std::nullopt;
    json = nlohmann::json::parse(*fixed, nullptr, false);
    if (json.is_discarded()) return std::nullopt;
  }
  if (!json.is_object()) return std::nullopt;
  ReportLine report;
  for (const auto& metric : keys.metrics) {
    auto it = json.find(metric);
    if (it == json.end()) return std::nullopt;
    auto value = number_of(*it);
    if (!value) return std::nullopt;
    report.values.push_back(*value);
  }
  if (!keys.step.empty()) {
    if (auto it = json.find(keys.step); it != json.end()) {
      std::optional<double> step;
      if (it->is_number()) step = it->get<double>();
      if (!step || !std::isfinite(*step) || *step < 0 || *step != std::floor(*step) ||
          *step > 1e15) {
        return std::nullopt;
      }
      report.step = static_cast<int64_t>(*step);
    }
  }
  if (auto it = json.find("final"); it != json.end() && it->is_boolean()) {
    report.final = it->get<bool>();
  }
  return report;
}

LineSplitter::LineSplitter(Sink sink, size_t max_line)
    : sink_(std::move(sink)), max_line_(max_line == 0 ? 1 : max_line) {}

void LineSplitter::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    const std::string_view chunk = bytes.substr(0, newline);
    if (in_overlong_) {
      if (!chunk.empty()) sink_.overlong(chunk);
    } else if (pending_.size() + chunk.size() > max_line_) {
      // Hand on what is held and the rest of the line as it comes, keeping nothing.
      in_overlong_ = true;
      if (!pending_.empty()) sink_.overlong(pending_);
      if (!chunk.empty()) sink_.overlong(chunk);
      pending_.clear();
      pending_.shrink_to_fit();
    } else {
      pending_.append(chunk);
    }
    if (newline == std::string_view::npos) return;
    if (in_overlong_) {
      sink_.overlong_end();
      in_overlong_ = false;
    } else {
      sink_.line(pending_);
      pending_.clear();
    }
    bytes.remove_prefix(newline + 1);
  }
}

void LineSplitter::finish() {
  if (in_overlong_) {
    sink_.overlong_end();
    in_overlong_ = false;
  } else if (!pending_.empty()) {
    sink_.line(pending_);
    pending_.clear();
  }
}

}  // namespace greentune::command
