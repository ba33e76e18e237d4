// `greentune measure -- CMD ARGS...`: runs a command like `perf stat` does and reports the energy
// it used: per domain joules and watts, the total, kWh and CO2e. The command's exit code is ours.
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
#include "greentune/common/atomic_file.hpp"
#include "greentune/common/error.hpp"
#include "greentune/energy/discovery.hpp"
#include "greentune/energy/monitor.hpp"

namespace {

using namespace greentune::energy;
using greentune::InputError;

struct MeasureOptions {
  double interval_ms = 100;
  double idle_seconds = 0;
  std::string json_path;
  std::string csv_path;
  std::optional<double> cpu_tdp;
  double grams_per_kwh = CarbonSettings{}.grams_per_kwh;
  double pue = CarbonSettings{}.pue;
  std::string sysfs_root;
  std::string dev_root;
  std::string scope = "tree";
  std::vector<std::string> command;
};

volatile sig_atomic_t g_child = 0;

// Signals sent to greentune (kill, a batch system) go on to the command. One typed at the terminal
// (si_code SI_KERNEL) already reached the command through its process group: not sent twice.
void forward_signal(int signal, siginfo_t* info, void*) {
  if (g_child > 0 && (info == nullptr || info->si_code != SI_KERNEL)) kill(g_child, signal);
}

class SignalForwarding {
 public:
  explicit SignalForwarding(pid_t child) {
    g_child = child;
    struct sigaction action {};
    action.sa_sigaction = forward_signal;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &action, &previous_[i]);
  }
  ~SignalForwarding() {
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &previous_[i], nullptr);
    g_child = 0;
  }
  SignalForwarding(const SignalForwarding&) = delete;
  SignalForwarding& operator=(const SignalForwarding&) = delete;

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

void print_summary(const std::vector<std::string>& command, int exit_code, const Measurement& m,
                   bool with_idle) {
  std::string out;
  out += fmt::format("\n Energy of '{}' (exit {}):\n\n", shell_quote(command), exit_code);
  out += fmt::format("  {:<12} {:>12.3f} s\n", "time", m.seconds);
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
  out += "\n\n";
  out += fmt::format("  {:<12} {:.6g} kWh; x PUE {:g} = {:.6g} kWh at the facility\n", "energy",
                     m.carbon.kwh, m.carbon.pue, m.carbon.facility_kwh);
  out += fmt::format("  {:<12} {} CO2e at {:g} g/kWh", "carbon", format_grams(m.carbon.grams_co2e),
                     m.carbon.grams_per_kwh);
  if (with_idle) out += fmt::format("; net of idle {} CO2e", format_grams(m.net_carbon.grams_co2e));
  out += "\n";
  out += fmt::format("  {:<12} {} taken, {} missed\n", "samples", m.samples, m.missed_samples);
  for (const auto& d : m.domains) {
    if (d.info.part_of_parent) {
      out += "  * inside its package: shown, not added to the total\n";
      break;
    }
  }
  if (m.any_estimated) {
    out += "\n  Estimated, not measured:\n";
    for (const auto& d : m.domains) {
      if (d.info.kind == Kind::estimated)
        out += fmt::format("    {}: {}\n", d.info.name, d.info.method);
    }
  }
  std::fputs(out.c_str(), stderr);
}

nlohmann::json to_json(const std::vector<std::string>& command, int exit_code, const Measurement& m,
                       const MeasureOptions& options, std::chrono::milliseconds interval) {
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
  out["domains"] = nlohmann::json::array();
  for (const auto& d : m.domains) {
    nlohmann::json domain{{"name", d.info.name},
                          {"source", d.info.source},
                          {"kind", to_string(d.info.kind)},
                          {"method", d.info.method},
                          {"part_of_parent", d.info.part_of_parent},
                          {"joules", d.joules},
                          {"watts", d.watts}};
    if (options.idle_seconds > 0) {
      domain["idle_joules"] = d.idle_joules;
      domain["net_joules"] = d.net_joules;
    }
    out["domains"].push_back(std::move(domain));
  }
  if (options.idle_seconds > 0) {
    out["idle_seconds"] = options.idle_seconds;
    out["idle_joules"] = m.idle_joules;
    out["net_joules"] = m.net_joules;
    out["net_kwh"] = m.net_carbon.kwh;
    out["net_carbon_g"] = m.net_carbon.grams_co2e;
  }
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string to_csv(const Measurement& m) {
  std::string out =
      "domain,source,kind,part_of_parent,seconds,joules,watts,idle_joules,net_joules,method\n";
  for (const auto& d : m.domains) {
    out += fmt::format("{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{}\n",
                       csv_field(d.info.name), csv_field(d.info.source), to_string(d.info.kind),
                       d.info.part_of_parent ? 1 : 0, m.seconds, d.joules, d.watts, d.idle_joules,
                       d.net_joules, csv_field(d.info.method));
  }
  out += fmt::format("total,,,0,{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},\n", m.seconds, m.total_joules,
                     m.seconds > 0 ? m.total_joules / m.seconds : 0.0, m.idle_joules, m.net_joules);
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

int run_measure(const MeasureOptions& options) {
  if (options.command.empty()) {
    throw InputError(
        "no command to measure: put it after --, e.g. greentune measure -- python3 train.py");
  }
  const MonitorOptions monitor_settings = monitor_options(options);
  SystemPaths paths = SystemPaths::from_environment();
  if (!options.sysfs_root.empty()) paths.sysfs_root = options.sysfs_root;
  if (!options.dev_root.empty()) paths.dev_root = options.dev_root;
  EstimateOptions estimate;
  estimate.scope =
      options.scope == "machine" ? EstimateScope::machine : EstimateScope::process_tree;
  estimate.tree = std::make_shared<ProcessTree>(paths.proc_root);
  estimate.cpu_tdp_watts = options.cpu_tdp;
  auto sources = open_sources(paths, estimate);

  // Descendants whose parent exits (`cmd &` in a script that ends, daemons) are reparented to us
  // rather than to init, so the process tree keeps counting them.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) estimate.tree->set_adopter(getpid());
  GatedChild child = fork_gated(options.command);
  auto abandon_child = [&] {
    close(child.go_fd);  // the child sees EOF and exits 125 without running the command
    close(child.status_fd);
    waitpid(child.pid, nullptr, 0);
  };
  std::optional<Monitor> monitor;
  try {
    // The baseline runs before the tree has a root: the waiting child is a copy of greentune,
    // and its memory is not the command's idle draw.
    monitor.emplace(std::move(sources), monitor_settings);
    estimate.tree->set_root(child.pid);
    monitor->begin("command");
  } catch (...) {
    abandon_child();
    throw;
  }

  int status = 0;
  rusage usage{};
  {
    SignalForwarding forwarding(child.pid);
    const char go = 'g';
    // A child killed while it waited would make this write raise SIGPIPE and kill greentune
    // silently; ignored here (after the fork, so the command does not inherit it), it fails.
    struct sigaction ignore {
    }, previous_pipe{};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &previous_pipe);
    const bool started = write(child.go_fd, &go, 1) == 1;
    sigaction(SIGPIPE, &previous_pipe, nullptr);
    if (!started) {
      abandon_child();
      throw greentune::IoError("cannot start the command: the pipe to it failed");
    }
    close(child.go_fd);
    int exec_error = 0;
    ssize_t n;
    do {
      n = read(child.status_fd, &exec_error, sizeof exec_error);
    } while (n < 0 && errno == EINTR);
    close(child.status_fd);
    while (wait4(child.pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof exec_error)) {
      const int code = exec_error == ENOENT ? 127 : 126;
      if (exec_error == ENOENT) {
        std::fprintf(stderr, "greentune measure: command not found: %s\n",
                     options.command[0].c_str());
      } else {
        std::fprintf(stderr, "greentune measure: cannot run %s: %s\n", options.command[0].c_str(),
                     std::strerror(exec_error));
      }
      return code;
    }
  }
  estimate.tree->finish(rusage_seconds(usage));
  const Measurement m = monitor->end("command");
  const int exit_code = WIFEXITED(status)     ? WEXITSTATUS(status)
                        : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                              : 1;

  print_summary(options.command, exit_code, m, options.idle_seconds > 0);
  if (!options.json_path.empty()) {
    greentune::write_file_atomically(
        options.json_path,
        to_json(options.command, exit_code, m, options, monitor->interval()).dump(2) + "\n");
  }
  if (!options.csv_path.empty()) greentune::write_file_atomically(options.csv_path, to_csv(m));
  return exit_code;
}

const bool registered = greentune::cli::register_command(
    "measure", "Run a command and report the energy it used (like perf stat)", [](CLI::App& app) {
      auto options = std::make_shared<MeasureOptions>();
      app.add_option("--interval", options->interval_ms,
                     "Longest time between counter reads, ms (default 100; shorter where a "
                     "counter could wrap sooner)");
      app.add_option("--idle", options->idle_seconds,
                     "Measure an idle baseline this many seconds before the command; report "
                     "gross, idle and net joules");
      app.add_option("--json", options->json_path, "Write the result as JSON to this file");
      app.add_option("--csv", options->csv_path, "Write one CSV row per domain to this file");
      app.add_option("--cpu-tdp", options->cpu_tdp,
                     "CPU package TDP in watts for the estimate (default: from the CPU model)");
      app.add_option("--carbon-intensity", options->grams_per_kwh,
                     "Grid carbon intensity, g CO2e per kWh (default 475, world average)");
      app.add_option("--pue", options->pue, "Facility power usage effectiveness (default 1.0)");
      app.add_option("--scope", options->scope,
                     "What the estimate counts when no counter exists: tree (the command and its "
                     "descendants, default) or machine (every CPU)")
          ->check(CLI::IsMember({"tree", "machine"}));
      app.add_option("--sysfs-root", options->sysfs_root,
                     "Where sysfs is mounted (default /sys, or $GREENTUNE_SYSFS_ROOT)");
      app.add_option("--dev-root", options->dev_root,
                     "Where /dev is (default /dev, or $GREENTUNE_DEV_ROOT)");
      app.add_option("command", options->command, "The command and its arguments, after --");
      return greentune::cli::Runner([options] { return run_measure(*options); });
    });

}  // namespace
