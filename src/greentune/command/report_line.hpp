#pragma once
// The reporting protocol: a program prints JSON objects, one per line, on stdout, e.g.
//   {"epoch": 3, "accuracy": 0.871, "loss": 0.35}
// A line holding every metric is a value line; the trial's value comes from the last one, or from
// the last line with "final": true. Value lines that carry the step key (every value line when no
// step key is configured) are intermediate reports. Python's NaN, Infinity and -Infinity literals
// and null are read as non-finite values. Any other line is not a report.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greentune::command {

struct ReportKeys {
  std::vector<std::string> metrics;  // read from the program (reserved metrics left out)
  std::string step;                  // "": no step key
};

struct ReportLine {
  std::vector<double> values;  // one per ReportKeys::metrics
  std::optional<int64_t> step;
  bool final = false;
};

// nullopt when `line` is no JSON object holding every metric as a number (or NaN/null), or holds
// a step that is not a whole number >= 0.
std::optional<ReportLine> parse_report_line(std::string_view line, const ReportKeys& keys);

// Cuts a byte stream into lines without ever holding more than `max_line` bytes: a longer line is
// handed on in pieces as it arrives (to pass through to a log, never parsed).
class LineSplitter {
 public:
  struct Sink {
    std::function<void(std::string_view line)> line;       // a whole line, without its '\n'
    std::function<void(std::string_view bytes)> overlong;  // a piece of a line over the limit
    std::function<void()> overlong_end;                    // that line's '\n' (or the end)
  };
  explicit LineSplitter(Sink sink, size_t max_line = size_t{1} << 20);
  void feed(std::string_view bytes);
  void finish();  // the end of the stream: a last line without '\n' is delivered

 private:
  Sink sink_;
  size_t max_line_;
  std::string pending_;
  bool in_overlong_ = false;
};

}  // namespace greentune::command
