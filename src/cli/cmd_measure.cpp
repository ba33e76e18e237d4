// `greentune measure -- CMD ARGS...`: runs a command like `perf stat` does and reports the energy
// it used: per domain joules and watts, the total, kWh and CO2e. The command's exit code is ours.
// With --runs N it measures the command N times (after --warmup runs) and reports the spread, as
// `perf stat -r` and hyperfine do.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "cli/output_option.hpp"
#include "greentune/common/atomic_file.hpp"
#include "greentune/common/csv.hpp"
#include "greentune/common/error.hpp"
#include "greentune/energy/discovery.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/energy/power_samples.hpp"
#include "greentune/energy/run_series.hpp"

namespace {

using namespace greentune::energy;
using greentune::InputError;

struct MeasureOptions {
  double interval_ms = 100;
  double idle_seconds = 0;
  int runs = 1;
  int warmup = 0;
  greentune::cli::OutputTarget json;
  greentune::cli::OutputTarget csv;
  std::string samples_path;
  std::optional<double> cpu_tdp;
  std::optional<int> cpu_threads;
  double grams_per_kwh = CarbonSettings{}.grams_per_kwh;
  double pue = CarbonSettings{}.pue;
  std::string sysfs_root;
  std::string dev_root;
  std::string scope = "tree";
  std::vector<std::string> command;
};

volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_signal = 0;  // the first SIGINT/SIGTERM/SIGHUP greentune received

// Signals sent to greentune (kill, timeout, a batch system) go on to the command. One typed at the
// terminal (si_code SI_KERNEL) already reached the command through its process group: not sent
// twice. Either way greentune itself does not die: it notes the signal, lets the command end,
// and writes what it measured, labelled as interrupted, so no result is lost and no temporary
// file is left behind.
void on_signal(int signal, siginfo_t* info, void*) {
  if (g_signal == 0) g_signal = signal;
  if (g_child > 0 && (info == nullptr || info->si_code != SI_KERNEL)) kill(g_child, signal);
}

// Held for the whole of `measure`, from before the first fork until the results are written.
class SignalGuard {
 public:
  SignalGuard() {
    g_signal = 0;
    struct sigaction action {};
    action.sa_sigaction = on_signal;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &action, &previous_[i]);
  }
  ~SignalGuard() {
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &previous_[i], nullptr);
    g_child = 0;
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

  // The command's forked copy must die of these signals like any program until it execs.
  static void reset_in_child() {
    for (int signal : kSignals) ::signal(signal, SIG_DFL);
  }

 private:
  static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> previous_{};
};

// A forked command that waits on a pipe before exec, so the idle baseline and the window start
// are in place before it runs.
struct GatedChild {
  pid_t pid = -1;
  int go_fd = -1;      // write one byte: exec now
  int status_fd = -1;  // exec failure: the child writes errno here; success closes it (CLOEXEC)
};

GatedChild fork_gated(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int go[2], status[2];
  if (pipe2(go, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0) {
    throw greentune::IoError(std::string("cannot create a pipe to start the command: ") +
                             std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    throw greentune::IoError(std::string("cannot fork to run the command: ") +
                             std::strerror(errno));
  }
  if (pid == 0) {
    SignalGuard::reset_in_child();
    char byte = 0;
    ssize_t n;
    do {
      n = read(go[0], &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) _exit(125);  // greentune gave up before starting the command
    execvp(argv[0], argv.data());
    int error = errno;
    ssize_t written = write(status[1], &error, sizeof error);
    (void)written;
    _exit(error == ENOENT ? 127 : 126);
  }
  close(go[0]);
  close(status[1]);
  return {pid, go[1], status[0]};
}

double rusage_seconds(const rusage& usage) {
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

std::string shell_quote(const std::vector<std::string>& command) {
  std::string out;
  for (const auto& arg : command) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_not_of(
                                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                     "OPQRSTUVWXYZ0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      out += arg;
    } else {
      out += '\'';
      for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

std::string format_grams(double grams) {
  if (grams >= 1000) return fmt::format("{:.3f} kg", grams / 1000);
  if (grams >= 1) return fmt::format("{:.3f} g", grams);
  return fmt::format("{:.3f} mg", grams * 1000);
}

// What one run of the command gave.
struct Run {
  int exit_code = 0;
  Measurement measurement;
};

// The whole series: warm-up runs are not measured, measured runs are in `runs`.
struct Series {
  std::vector<Run> runs;
  int warmup_done = 0;
  int interrupted_by = 0;  // the signal greentune received, 0 when none
  std::vector<PowerSample> samples;
};

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal " + std::to_string(signal);
  }
}

std::string spread_text(const Spread& spread) {
  if (!spread.has_spread()) return fmt::format("{:.4g}", spread.mean);
  return fmt::format("{:.4g} ± {:.2g} ({:.1f}%)", spread.mean, spread.stddev,
                     100 * spread.relative_stddev);
}

void print_run_table(std::string& out, const Measurement& m, bool with_idle) {
  out += fmt::format("  {:<12} {:<9} {:<10} {:>12} {:>10}", "domain", "source", "kind", "joules",
                     "watts");
  if (with_idle) out += fmt::format(" {:>12} {:>12}", "idle J", "net J");
  out += "\n";
  for (const auto& d : m.domains) {
    out += fmt::format("  {:<12} {:<9} {:<10} {:>12.4g} {:>10.4g}",
                       d.info.name + (d.info.part_of_parent ? "*" : ""), d.info.source,
                       to_string(d.info.kind), d.joules, d.watts);
    if (with_idle) out += fmt::format(" {:>12.4g} {:>12.4g}", d.idle_joules, d.net_joules);
    out += "\n";
  }
  out += fmt::format("  {:<12} {:<9} {:<10} {:>12.4g} {:>10.4g}", "total", "", "", m.total_joules,
                     m.seconds > 0 ? m.total_joules / m.seconds : 0.0);
  if (with_idle) out += fmt::format(" {:>12.4g} {:>12.4g}", m.idle_joules, m.net_joules);
  out += "\n";
}

void print_spread_table(std::string& out, const RunSeries& series) {
  out += fmt::format("  {:<12} {:>32} {:>11} {:>11} {:>11}\n", "figure", "mean ± stddev (rel.)",
                     "min", "median", "max");
  auto row = [&out](const std::string& name, const Spread& spread) {
    out += fmt::format("  {:<12} {:>32} {:>11.4g} {:>11.4g} {:>11.4g}\n", name, spread_text(spread),
                       spread.min, spread.median, spread.max);
  };
  row("time (s)", series.seconds);
  for (const auto& [info, spread] : series.domains) {
    row(info.name + (info.part_of_parent ? "*" : "") + " (J)", spread);
  }
  row("total (J)", series.total_joules);
}

void print_summary(const std::vector<std::string>& command, int exit_code, const Series& series,
                   const RunSeries& summary, bool with_idle) {
  const Measurement& m = summary.mean;
  const size_t n = series.runs.size();
  std::string out;
  if (n == 1) {
    out += fmt::format("\n Energy of '{}' (exit {}):\n\n", shell_quote(command), exit_code);
    out += fmt::format("  {:<12} {:>12.3f} s\n", "time", m.seconds);
    print_run_table(out, m, with_idle);
  } else {
    out += fmt::format("\n Energy of '{}' over {} runs", shell_quote(command), n);
    if (series.warmup_done > 0) {
      out += fmt::format(" after {} warm-up run{}", series.warmup_done,
                         series.warmup_done == 1 ? "" : "s");
    }
    out += fmt::format(" (exit {}):\n\n", exit_code);
    print_spread_table(out, summary);
    out += "\n Mean run:\n";
    print_run_table(out, m, with_idle);
  }
  out += "\n";
  out += fmt::format("  {:<12} {:.6g} kWh; x PUE {:g} = {:.6g} kWh at the facility{}\n", "energy",
                     m.carbon.kwh, m.carbon.pue, m.carbon.facility_kwh, n > 1 ? " (mean run)" : "");
  out += fmt::format("  {:<12} {} CO2e at {:g} g/kWh", "carbon", format_grams(m.carbon.grams_co2e),
                     m.carbon.grams_per_kwh);
  if (with_idle) out += fmt::format("; net of idle {} CO2e", format_grams(m.net_carbon.grams_co2e));
  out += "\n";
  out += fmt::format("  {:<12} {} taken, {} missed\n", "samples", m.samples, m.missed_samples);
  if (series.interrupted_by != 0) {
    out += fmt::format("  {:<12} greentune received {}: the figures cover the {} run{} done\n",
                       "interrupted", signal_name(series.interrupted_by), n, n == 1 ? "" : "s");
  }
  for (const auto& d : m.domains) {
    if (d.info.part_of_parent) {
      out += "  * inside its package: shown, not added to the total\n";
      break;
    }
  }
  for (const auto& warning : m.warnings) out += "  warning: " + warning + "\n";
  if (m.any_estimated) {
    out += "\n  Estimated, not measured:\n";
    for (const auto& d : m.domains) {
      if (d.info.kind == Kind::estimated)
        out += fmt::format("    {}: {}\n", d.info.name, d.info.method);
    }
  }
  std::fputs(out.c_str(), stderr);
}

nlohmann::json spread_json(const Spread& spread) {
  nlohmann::json out{{"min", spread.min}, {"median", spread.median},
                     {"max", spread.max}, {"mean", spread.mean},
                     {"stddev", nullptr}, {"relative_stddev", nullptr}};
  if (spread.has_spread()) {
    out["stddev"] = spread.stddev;
    if (spread.mean != 0) out["relative_stddev"] = spread.relative_stddev;
  }
  return out;
}

nlohmann::json domain_json(const DomainEnergy& d, bool with_idle, bool with_method) {
  nlohmann::json domain{{"name", d.info.name}};
  if (with_method) {
    domain["source"] = d.info.source;
    domain["kind"] = to_string(d.info.kind);
    domain["method"] = d.info.method;
    domain["part_of_parent"] = d.info.part_of_parent;
  }
  domain["joules"] = d.joules;
  domain["watts"] = d.watts;
  if (with_idle) {
    domain["idle_joules"] = d.idle_joules;
    domain["net_joules"] = d.net_joules;
  }
  if (d.wrap_may_be_missed) domain["wrap_may_be_missed"] = true;
  return domain;
}

// Top-level figures are the mean run's (the one run's, without --runs); "runs" has every run and
// "statistics" the spread over them.
nlohmann::json to_json(const std::vector<std::string>& command, int exit_code, const Series& series,
                       const RunSeries& summary, const MeasureOptions& options,
                       std::chrono::milliseconds interval) {
  const Measurement& m = summary.mean;
  const bool with_idle = options.idle_seconds > 0;
  nlohmann::json out;
  out["command"] = command;
  out["exit_code"] = exit_code;
  out["seconds"] = m.seconds;
  out["total_joules"] = m.total_joules;
  out["watts"] = m.seconds > 0 ? m.total_joules / m.seconds : 0.0;
  out["any_estimated"] = m.any_estimated;
  out["estimate_scope"] = options.scope;  // what estimated domains count: "tree" or "machine"
  out["samples"] = m.samples;
  out["missed_samples"] = m.missed_samples;
  out["interval_ms"] = interval.count();
  out["kwh"] = m.carbon.kwh;
  out["facility_kwh"] = m.carbon.facility_kwh;
  out["pue"] = m.carbon.pue;
  out["grams_per_kwh"] = m.carbon.grams_per_kwh;
  out["carbon_g"] = m.carbon.grams_co2e;
  out["interrupted"] = series.interrupted_by != 0;
  if (series.interrupted_by != 0) out["signal"] = signal_name(series.interrupted_by);
  out["wrap_may_be_missed"] = m.wrap_may_be_missed;
  out["warnings"] = m.warnings;
  out["domains"] = nlohmann::json::array();
  for (const auto& d : m.domains) out["domains"].push_back(domain_json(d, with_idle, true));
  if (with_idle) {
    out["idle_seconds"] = options.idle_seconds;
    out["idle_joules"] = m.idle_joules;
    out["net_joules"] = m.net_joules;
    out["net_kwh"] = m.net_carbon.kwh;
    out["net_carbon_g"] = m.net_carbon.grams_co2e;
  }
  out["requested_runs"] = options.runs;
  out["warmup_runs"] = series.warmup_done;
  out["runs"] = nlohmann::json::array();
  for (size_t i = 0; i < series.runs.size(); ++i) {
    const Measurement& run = series.runs[i].measurement;
    nlohmann::json entry{{"run", i + 1},
                         {"exit_code", series.runs[i].exit_code},
                         {"seconds", run.seconds},
                         {"total_joules", run.total_joules},
                         {"samples", run.samples},
                         {"missed_samples", run.missed_samples},
                         {"domains", nlohmann::json::array()}};
    if (with_idle) entry["net_joules"] = run.net_joules;
    for (const auto& d : run.domains) entry["domains"].push_back(domain_json(d, with_idle, false));
    out["runs"].push_back(std::move(entry));
  }
  nlohmann::json statistics{{"runs", series.runs.size()},
                            {"seconds", spread_json(summary.seconds)},
                            {"total_joules", spread_json(summary.total_joules)},
                            {"domains", nlohmann::json::object()}};
  for (const auto& [info, spread] : summary.domains) {
    statistics["domains"][info.name] = spread_json(spread);
  }
  out["statistics"] = std::move(statistics);
  return out;
}

// One row per domain and a total row for every run; `run` numbers them from 1.
std::string to_csv(const Series& series) {
  using greentune::csv_cell;
  std::string out =
      "domain,source,kind,part_of_parent,seconds,joules,watts,idle_joules,net_joules,method,run\n";
  for (size_t i = 0; i < series.runs.size(); ++i) {
    const Measurement& m = series.runs[i].measurement;
    for (const auto& d : m.domains) {
      out += fmt::format("{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{},{}\n",
                         csv_cell(d.info.name), csv_cell(d.info.source), to_string(d.info.kind),
                         d.info.part_of_parent ? 1 : 0, m.seconds, d.joules, d.watts, d.idle_joules,
                         d.net_joules, csv_cell(d.info.method), i + 1);
    }
    out += fmt::format("total,,,0,{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},,{}\n", m.seconds,
                       m.total_joules, m.seconds > 0 ? m.total_joules / m.seconds : 0.0,
                       m.idle_joules, m.net_joules, i + 1);
  }
  return out;
}

MonitorOptions monitor_options(const MeasureOptions& options) {
  if (!std::isfinite(options.interval_ms) || options.interval_ms < 1 ||
      options.interval_ms > 3'600'000) {
    throw InputError(
        fmt::format("--interval {}: expected a sampling interval in milliseconds "
                    "between 1 and 3600000",
                    options.interval_ms));
  }
  if (!std::isfinite(options.idle_seconds) || options.idle_seconds < 0 ||
      options.idle_seconds > 3600) {
    throw InputError(
        fmt::format("--idle {}: expected the idle baseline's length in seconds, 0 (none) to 3600",
                    options.idle_seconds));
  }
  if (options.runs < 1 || options.runs > 100'000) {
    throw InputError(
        fmt::format("--runs {}: expected how many times to measure the command, 1 to "
                    "100000",
                    options.runs));
  }
  if (options.warmup < 0 || options.warmup > 100'000) {
    throw InputError(fmt::format(
        "--warmup {}: expected how many unmeasured runs go first, 0 to 100000", options.warmup));
  }
  MonitorOptions monitor;
  monitor.interval = std::chrono::milliseconds(std::lround(options.interval_ms));
  monitor.idle_seconds = options.idle_seconds;
  monitor.carbon.grams_per_kwh = options.grams_per_kwh;
  monitor.carbon.pue = options.pue;
  if (!std::isfinite(options.grams_per_kwh) || options.grams_per_kwh < 0) {
    throw InputError(fmt::format("--carbon-intensity {}: expected grams CO2e per kWh, >= 0",
                                 options.grams_per_kwh));
  }
  if (!std::isfinite(options.pue) || options.pue < 1) {
    throw InputError(fmt::format(
        "--pue {}: expected the facility's power usage effectiveness, >= 1.0", options.pue));
  }
  return monitor;
}

// How one run of the command ended.
struct Outcome {
  bool started = false;  // false: not run (greentune was interrupted before it could start)
  int exec_error = 0;    // errno of a failed exec (the command never ran)
  int exit_code = 0;
  std::optional<Measurement> measurement;  // for a measured run that ran
};

// Runs the command once; measured in the Monitor window `window` unless it is empty.
Outcome run_once(const std::vector<std::string>& command, Monitor& monitor, ProcessTree& tree,
                 const std::string& window) {
  Outcome outcome;
  if (g_signal != 0) return outcome;
  GatedChild child = fork_gated(command);
  g_child = child.pid;
  auto abandon_child = [&] {
    close(child.go_fd);  // the child sees EOF and exits 125 without running the command
    close(child.status_fd);
    while (waitpid(child.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    g_child = 0;
  };
  try {
    tree.set_forked_root(child.pid);
    if (!window.empty()) monitor.begin(window);
  } catch (...) {
    abandon_child();
    throw;
  }
  const char go = 'g';
  // A child killed while it waited would make this write raise SIGPIPE and kill greentune
  // silently; ignored here (after the fork, so the command does not inherit it), it fails.
  struct sigaction ignore {
  }, previous_pipe{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &previous_pipe);
  const bool started = g_signal == 0 && write(child.go_fd, &go, 1) == 1;
  sigaction(SIGPIPE, &previous_pipe, nullptr);
  if (!started) {
    abandon_child();
    if (!window.empty()) monitor.end(window);
    if (g_signal != 0) return outcome;  // interrupted before the command could start
    throw greentune::IoError("cannot start the command: the pipe to it failed");
  }
  outcome.started = true;
  close(child.go_fd);
  int exec_error = 0;
  ssize_t n;
  do {
    n = read(child.status_fd, &exec_error, sizeof exec_error);
  } while (n < 0 && errno == EINTR);
  close(child.status_fd);
  int status = 0;
  rusage usage{};
  while (wait4(child.pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  g_child = 0;
  tree.finish(rusage_seconds(usage));
  Measurement m;
  if (!window.empty()) m = monitor.end(window);
  if (n == static_cast<ssize_t>(sizeof exec_error)) {
    outcome.exec_error = exec_error;
    return outcome;
  }
  outcome.exit_code = WIFEXITED(status)     ? WEXITSTATUS(status)
                      : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                            : 1;
  if (!window.empty()) outcome.measurement = std::move(m);
  return outcome;
}

int exec_failure(const std::vector<std::string>& command, int error) {
  if (error == ENOENT) {
    std::fprintf(stderr, "greentune measure: command not found: %s\n", command[0].c_str());
    return 127;
  }
  std::fprintf(stderr, "greentune measure: cannot run %s: %s\n", command[0].c_str(),
               std::strerror(error));
  return 126;
}

int run_measure(const MeasureOptions& options) {
  // `--json FILE -- cmd` (the old form) would otherwise measure FILE as the command.
  if (auto word = greentune::cli::detached_output_value(greentune::cli::process_arguments())) {
    throw InputError(greentune::cli::detached_output_hint(*word) +
                     "; the command to measure goes after --");
  }
  if (options.command.empty()) {
    throw InputError(
        "no command to measure: put it after --, e.g. greentune measure -- python3 train.py");
  }
  const MonitorOptions monitor_settings = monitor_options(options);
  // Output paths are checked before anything runs, so a long measurement is never lost to a
  // typo in a folder name.
  if (!options.samples_path.empty()) greentune::check_result_path(options.samples_path);
  greentune::cli::prepare_outputs({&options.json, &options.csv});
  SystemPaths paths = SystemPaths::from_environment();
  if (!options.sysfs_root.empty()) paths.sysfs_root = options.sysfs_root;
  if (!options.dev_root.empty()) paths.dev_root = options.dev_root;
  EstimateOptions estimate;
  estimate.scope =
      options.scope == "machine" ? EstimateScope::machine : EstimateScope::process_tree;
  estimate.tree = std::make_shared<ProcessTree>(paths.proc_root);
  estimate.cpu_tdp_watts = options.cpu_tdp;
  estimate.cpu_threads = options.cpu_threads;
  auto sources = open_sources(paths, estimate);

  SignalGuard guard;
  // Descendants whose parent exits (`cmd &` in a script that ends, daemons) are reparented to us
  // rather than to init, so the process tree keeps counting them.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) estimate.tree->set_adopter(getpid());
  // The baseline runs before any command: the idle draw is the machine's, not greentune's.
  Monitor monitor(std::move(sources), monitor_settings);

  Series series;
  for (int i = 0; i < options.warmup; ++i) {
    Outcome warm = run_once(options.command, monitor, *estimate.tree, "");
    if (!warm.started) break;
    if (warm.exec_error != 0) return exec_failure(options.command, warm.exec_error);
    ++series.warmup_done;
    if (warm.exit_code != 0) {
      std::fprintf(stderr, "greentune measure: warm-up run %d exited %d; nothing was measured\n",
                   i + 1, warm.exit_code);
      return warm.exit_code;
    }
  }
  if (!options.samples_path.empty()) monitor.start_recording();
  int exit_code = 0;
  for (int i = 0; i < options.runs && g_signal == 0; ++i) {
    Outcome run =
        run_once(options.command, monitor, *estimate.tree, "run-" + std::to_string(i + 1));
    if (!run.started) break;
    if (run.exec_error != 0) return exec_failure(options.command, run.exec_error);
    series.runs.push_back({run.exit_code, std::move(*run.measurement)});
    if (run.exit_code != 0) {
      exit_code = run.exit_code;  // a failing run ends the series, as hyperfine does
      break;
    }
  }
  if (!options.samples_path.empty()) series.samples = monitor.stop_recording();
  series.interrupted_by = g_signal;
  if (series.runs.empty()) {
    std::fprintf(stderr,
                 "greentune measure: interrupted by %s before the command ran; nothing "
                 "was measured or written\n",
                 signal_name(series.interrupted_by).c_str());
    return 128 + series.interrupted_by;
  }
  if (exit_code == 0 && series.interrupted_by != 0 &&
      static_cast<int>(series.runs.size()) < options.runs) {
    exit_code = 128 + series.interrupted_by;  // the series was cut short
  }

  std::vector<Measurement> measured;
  for (const auto& run : series.runs) measured.push_back(run.measurement);
  const RunSeries summary = summarize_runs(measured, monitor_settings.carbon);
  print_summary(options.command, exit_code, series, summary, options.idle_seconds > 0);
  if (options.json.requested()) {
    greentune::cli::write_output(
        options.json,
        to_json(options.command, exit_code, series, summary, options, monitor.interval()).dump(2) +
            "\n");
  }
  if (options.csv.requested()) greentune::cli::write_output(options.csv, to_csv(series));
  if (!options.samples_path.empty()) {
    greentune::write_file_atomically(options.samples_path,
                                     power_samples_csv(series.samples, monitor.domains()));
  }
  return exit_code;
}

const bool registered = greentune::cli::register_command(
    "measure", "Run a command and report the energy it used (like perf stat)", [](CLI::App& app) {
      auto options = std::make_shared<MeasureOptions>();
      app.add_option("--interval", options->interval_ms,
                     "Longest time between counter reads, ms (shorter where a counter could "
                     "wrap sooner)");
      app.add_option("--idle", options->idle_seconds,
                     "Measure an idle baseline this many seconds before the command; report "
                     "gross, idle and net joules");
      app.add_option("-r,--runs", options->runs,
                     "Measure the command this many times and report min, median, max and the "
                     "spread of its seconds and joules");
      app.add_option("--warmup", options->warmup,
                     "Run the command this many times first, unmeasured");
      greentune::cli::add_output_option(
          app, "--json", options->json,
          "Print the result as JSON on stdout (the command's own output goes to stderr)");
      greentune::cli::add_output_option(app, "--csv", options->csv,
                                        "Print one CSV row per domain and run on stdout");
      app.add_option("--samples", options->samples_path,
                     "Write the power time series (time, domain, watts, joules) as CSV to this "
                     "file");
      app.add_option("--cpu-tdp", options->cpu_tdp,
                     "CPU package TDP in watts for the estimate (default: from the CPU model)");
      app.add_option("--cpu-threads", options->cpu_threads,
                     "Hardware threads of the physical CPU package for the estimate (default: "
                     "from the CPU model, or cpuinfo on bare metal)");
      app.add_option("--carbon-intensity", options->grams_per_kwh,
                     "Grid carbon intensity, g CO2e per kWh (default: the world average)");
      app.add_option("--pue", options->pue, "Facility power usage effectiveness");
      app.add_option("--scope", options->scope,
                     "What the estimate counts when no counter exists: tree (the command and its "
                     "descendants) or machine (every CPU)")
          ->check(CLI::IsMember({"tree", "machine"}));
      app.add_option("--sysfs-root", options->sysfs_root,
                     "Where sysfs is mounted (default /sys, or $GREENTUNE_SYSFS_ROOT)");
      app.add_option("--dev-root", options->dev_root,
                     "Where /dev is (default /dev, or $GREENTUNE_DEV_ROOT)");
      app.add_option("command", options->command, "The command and its arguments, after --");
      greentune::cli::set_examples(app, "greentune measure -- python3 train.py",
                                   "greentune measure -r 5 --warmup 1 --json=energy.json -- "
                                   "sleep 1");
      return greentune::cli::Runner([options] { return run_measure(*options); });
    });

}  // namespace
