#include "greentune/report/charts.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "greentune/common/atomic_file.hpp"
#include "greentune/common/error.hpp"

extern char** environ;

namespace greentune::report {
namespace {

// A private temporary directory, removed with everything in it when the chart is done.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "greentune-chart-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw IoError("cannot create a temporary directory under " +
                    std::filesystem::temp_directory_path().string() + ": " + std::strerror(errno));
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// gnuplot's SVG is a standalone document; inside HTML the prolog must go, the namespace
// declarations are implied (and would be the only URLs in an offline report), and ids such as
// gpPt0 repeat in every chart.
std::string inline_svg(std::string svg, const std::string& id_prefix) {
  auto start = svg.find("<svg");
  if (start == std::string::npos) throw IoError("gnuplot wrote no <svg> element");
  svg.erase(0, start);
  replace_all(svg, " xmlns=\"http://www.w3.org/2000/svg\"", "");
  replace_all(svg, " xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "");
  for (const std::string quote : {"'", "\""}) {
    replace_all(svg, "id=" + quote, "id=" + quote + id_prefix);
    replace_all(svg, "href=" + quote + "#", "href=" + quote + "#" + id_prefix);
  }
  replace_all(svg, "url(#", "url(#" + id_prefix);
  return svg;
}

std::string number(double x) {
  if (!std::isfinite(x)) return "NaN";
  return fmt::format("{:.10g}", x);
}

const char* style_name(SeriesStyle style) {
  switch (style) {
    case SeriesStyle::lines:
      return "lines lw 2";
    case SeriesStyle::points:
      return "points pt 7 ps 0.6";
    case SeriesStyle::steps:
      return "steps lw 2";
    case SeriesStyle::marker:
      return "points pt 6 ps 2.5 lw 2";
    case SeriesStyle::linespoints:
      break;
  }
  return "linespoints lw 2 pt 7 ps 0.6";
}

std::string common_settings(const std::string& title, const std::string& y_label) {
  return fmt::format(
      "set title '{}' noenhanced\nset ylabel '{}' noenhanced\nset grid\nset key outside right top "
      "noenhanced\nset border 3\nset tics nomirror\n",
      gnuplot_text(title), gnuplot_text(y_label));
}

}  // namespace

std::string gnuplot_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\'')
      out += "''";
    else if (u < 0x20 || u == 0x7f)
      out += ' ';
    else
      out += c;  // gnuplot XML-escapes text in SVG output itself
  }
  return out;
}

std::filesystem::path find_gnuplot() {
  if (const char* env = std::getenv("GREENTUNE_GNUPLOT"); env && *env) {
    if (::access(env, X_OK) == 0) return env;
    throw IoError(std::string("GREENTUNE_GNUPLOT=") + env + " is not an executable program");
  }
  if (::access("/usr/bin/gnuplot", X_OK) == 0) return "/usr/bin/gnuplot";
  if (const char* path = std::getenv("PATH")) {
    std::string dirs = path;
    size_t begin = 0;
    while (begin <= dirs.size()) {
      size_t end = dirs.find(':', begin);
      if (end == std::string::npos) end = dirs.size();
      auto candidate = std::filesystem::path(dirs.substr(begin, end - begin)) / "gnuplot";
      if (end > begin && ::access(candidate.c_str(), X_OK) == 0) return candidate;
      begin = end + 1;
    }
  }
  throw IoError(
      "gnuplot not found (tried $GREENTUNE_GNUPLOT, /usr/bin/gnuplot and PATH); the report's "
      "charts need it: install Debian's gnuplot-nox (scripts/bootstrap does)");
}

std::string run_gnuplot_svg(const std::string& script, int width, int height,
                            const std::string& id_prefix) {
  auto gnuplot = find_gnuplot();
  TempDir dir;
  auto svg_path = dir.path() / "chart.svg";
  auto err_path = dir.path() / "stderr.txt";
  std::string full = fmt::format(
      "set terminal svg size {},{} font 'sans,11' background rgb 'white'\nset output '{}'\n{}\n"
      "unset output\n",
      width, height, gnuplot_text(svg_path.string()), script);

  // The script goes to gnuplot's stdin from a file rather than a pipe: gnuplot may stop reading
  // at its first error, and a pipe would then raise SIGPIPE in this process.
  auto script_path = dir.path() / "chart.gp";
  write_file_atomically(script_path, full);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, script_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string program = gnuplot.string();
  char* argv[] = {program.data(), nullptr};
  pid_t pid = 0;
  int spawn_error = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0)
    throw IoError("cannot start " + program + ": " + std::strerror(spawn_error));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string errors;
  try {
    errors = read_file(err_path);
  } catch (const IoError&) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw IoError(fmt::format("{} failed ({}) drawing chart {}: {}", program,
                              WIFEXITED(status)
                                  ? "exit status " + std::to_string(WEXITSTATUS(status))
                                  : std::string("killed by a signal"),
                              id_prefix, errors.empty() ? "no message" : errors));
  if (!errors.empty()) spdlog::debug("gnuplot, chart {}: {}", id_prefix, errors);
  std::string svg;
  try {
    svg = read_file(svg_path);
  } catch (const IoError&) {
    throw IoError("gnuplot wrote no SVG for chart " + id_prefix + ": " + errors);
  }
  return inline_svg(std::move(svg), id_prefix);
}

std::string render(const XYChart& chart, const std::string& id_prefix) {
  std::string script = common_settings(chart.title, chart.y_label);
  script += fmt::format("set xlabel '{}' noenhanced\n", gnuplot_text(chart.x_label));
  if (chart.log_x) script += "set logscale x\n";
  std::vector<std::string> plots;
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const auto& series = chart.series[i];
    if (series.xy.empty()) continue;
    script += fmt::format("$s{} << EOD\n", i);
    for (const auto& [x, y] : series.xy) script += number(x) + " " + number(y) + "\n";
    script += "EOD\n";
    plots.push_back(fmt::format("$s{} using 1:2 with {} title '{}'", i, style_name(series.style),
                                gnuplot_text(series.title)));
  }
  if (plots.empty()) {
    script += "set xrange [0:1]\nset yrange [0:1]\nset label 1 'no data' at 0.5,0.5 center\n";
    script += "plot NaN notitle\n";
  } else {
    script += "plot ";
    for (size_t i = 0; i < plots.size(); ++i) {
      if (i) script += ", \\\n  ";
      script += plots[i];
    }
    script += "\n";
  }
  return run_gnuplot_svg(script, chart.width, chart.height, id_prefix);
}

std::string render(const BarChart& chart, const std::string& id_prefix) {
  std::string script = common_settings(chart.title, chart.y_label);
  script += "set style data histograms\nset style fill solid 0.8 border -1\nset boxwidth 0.85\n";
  script +=
      chart.stacked ? "set style histogram rowstacked\n" : "set style histogram clustered gap 1\n";
  script += "set xtics rotate by -30 noenhanced\nset xzeroaxis\n";
  // Bars are read by their height from zero: anchor the axis there unless a value is negative
  // (energy changes can be).
  bool negative = false;
  for (const auto& group : chart.groups)
    for (double v : group.values) negative = negative || (std::isfinite(v) && v < 0);
  if (!negative) script += "set yrange [0:*]\n";
  if (chart.categories.empty() || chart.groups.empty()) {
    script += "set xrange [0:1]\nset yrange [0:1]\nset label 1 'no data' at 0.5,0.5 center\n";
    script += "plot NaN notitle\n";
    return run_gnuplot_svg(script, chart.width, chart.height, id_prefix);
  }
  // One row per category: the label, then one column per group.
  script += "$bars << EOD\n";
  for (size_t c = 0; c < chart.categories.size(); ++c) {
    std::string label = chart.categories[c];
    for (char& ch : label)
      if (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) ch = '_';
    script += '"';
    script += label;
    script += '"';
    for (const auto& group : chart.groups) {
      script += ' ';
      script += number(c < group.values.size() ? group.values[c] : NAN);
    }
    script += '\n';
  }
  script += "EOD\nplot ";
  for (size_t g = 0; g < chart.groups.size(); ++g) {
    script += fmt::format("{}$bars using {}{} title '{}'", g ? ", \\\n  " : "", g + 2,
                          g == 0 ? ":xtic(1)" : "", gnuplot_text(chart.groups[g].title));
  }
  script += "\n";
  return run_gnuplot_svg(script, chart.width, chart.height, id_prefix);
}

}  // namespace greentune::report
