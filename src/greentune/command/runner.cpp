#include "greentune/command/runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "greentune/command/group_cpu.hpp"
#include "greentune/command/placeholders.hpp"
#include "greentune/command/process_group.hpp"
#include "greentune/command/report_line.hpp"
#include "greentune/command/trial_folder.hpp"
#include "greentune/common/error.hpp"
#include "greentune/tune/config.hpp"

extern char** environ;

namespace greentune::command {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

double rusage_seconds(const rusage& usage) {
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

std::string signal_name(int signo) {
  const char* abbreviation = sigabbrev_np(signo);
  return abbreviation ? fmt::format("SIG{}", abbreviation) : fmt::format("signal {}", signo);
}

// The trial's log: the program's output that is not a report, as it came. A failed write (a full
// disk) costs the log, never the trial.
class LogFile {
 public:
  explicit LogFile(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666)) {
    if (!fd_) {
      throw IoError(
          fmt::format("cannot create the trial's log {}: {}", path.string(), std::strerror(errno)));
    }
  }
  void write(std::string_view bytes) {
    while (fd_ && !bytes.empty()) {
      const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fd_.reset();
        return;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

 private:
  Fd fd_;
};

// The last `capacity` bytes of a stream, in bounded memory.
class Tail {
 public:
  explicit Tail(size_t capacity) : capacity_(capacity) {}
  void add(std::string_view bytes) {
    if (bytes.size() >= capacity_) {
      data_.assign(bytes.substr(bytes.size() - capacity_));
      return;
    }
    data_.append(bytes);
    if (data_.size() > 2 * capacity_) data_.erase(0, data_.size() - capacity_);
  }
  std::string text() const {
    return data_.size() > capacity_ ? data_.substr(data_.size() - capacity_) : data_;
  }

 private:
  size_t capacity_;
  std::string data_;
};

// Runs `action` when the scope is left by an exception as well as normally.
class OnExit {
 public:
  explicit OnExit(std::function<void()> action) : action_(std::move(action)) {}
  ~OnExit() {
    try {
      action_();
    } catch (const std::exception&) {  // already unwinding, or nothing better to do
    }
  }
  OnExit(const OnExit&) = delete;
  OnExit& operator=(const OnExit&) = delete;

 private:
  std::function<void()> action_;
};

std::vector<std::string> trial_environment(const CommandRuntime& runtime,
                                           const tune::Params& params,
                                           const std::map<std::string, std::string>& values,
                                           int trial_number, const std::string& gpu) {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    std::string name(text.substr(0, equals));
    // A greentune run inside a trial must not hand its own trial's values down.
    if (name.starts_with("GREENTUNE_PARAM") || name.starts_with("GREENTUNE_TRIAL_") ||
        name == "GREENTUNE_STUDY") {
      continue;
    }
    env[name] = std::string(text.substr(equals + 1));
  }
  for (const auto& [name, value] : runtime.config.env) env[name] = expand(value, values);
  for (const auto& [name, value] : params) env[param_env_name(name)] = value_text(value);
  env["GREENTUNE_PARAMS"] = tune::params_to_json(params).dump();
  env["GREENTUNE_TRIAL_NUMBER"] = std::to_string(trial_number);
  env["GREENTUNE_STUDY"] = runtime.study;
  env["GREENTUNE_TRIAL_DIR"] = values.at("trial_dir");
  if (!gpu.empty()) env["CUDA_VISIBLE_DEVICES"] = gpu;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : base / p;
}

// The metrics read from the program's lines, in order (the reserved ones are measured).
ReportKeys report_keys(const CommandConfig& config) {
  ReportKeys keys;
  for (const auto& m : config.metrics) {
    if (!is_reserved_metric(m)) keys.metrics.push_back(m);
  }
  keys.step = config.step_key;
  return keys;
}

// Every metric in the study's order: read ones from the line, joules and seconds measured.
std::vector<double> all_values(const CommandConfig& config, const std::vector<double>& read,
                               double seconds, double joules) {
  std::vector<double> out;
  size_t next = 0;
  for (const auto& m : config.metrics) {
    if (m == "joules") {
      out.push_back(joules);
    } else if (m == "seconds") {
      out.push_back(seconds);
    } else {
      out.push_back(next < read.size() ? read[next] : std::nan(""));
      ++next;
    }
  }
  return out;
}

std::string value_problem(const CommandConfig& config, const std::vector<double>& values) {
  for (size_t i = 0; i < values.size() && i < config.metrics.size(); ++i) {
    if (std::isnan(values[i])) return fmt::format("{} is NaN", config.metrics[i]);
    if (std::isinf(values[i])) return fmt::format("{} is {}", config.metrics[i], values[i]);
  }
  return "";
}

}  // namespace

bool adopt_orphans() {
  return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
}

std::filesystem::path trial_workdir(const CommandRuntime& runtime) {
  return runtime.config.workdir.empty() ? runtime.base_dir
                                        : resolve(runtime.base_dir, runtime.config.workdir);
}

void check_program_exists(const CommandRuntime& runtime) {
  const std::string& program = runtime.config.argv.at(0);
  if (program.find('{') != std::string::npos) return;  // known only per trial
  const auto workdir = trial_workdir(runtime);
  std::error_code ec;
  if (!std::filesystem::is_directory(workdir, ec)) {
    throw InputError(fmt::format("command.workdir: {} is not a folder", workdir.string()));
  }
  if (program.find('/') != std::string::npos) {
    const auto path = resolve(workdir, program);
    if (::access(path.c_str(), X_OK) != 0) {
      throw InputError(fmt::format("command.argv[0]: {} is not an executable file ({})",
                                   path.string(), std::strerror(errno)));
    }
    return;
  }
  const char* path_variable = std::getenv("PATH");
  std::string_view search(path_variable ? path_variable : "/usr/local/bin:/usr/bin:/bin");
  while (true) {
    const auto colon = search.find(':');
    std::string folder(search.substr(0, colon));
    if (folder.empty()) folder = ".";
    if (::access((std::filesystem::path(folder) / program).c_str(), X_OK) == 0) return;
    if (colon == std::string_view::npos) break;
    search.remove_prefix(colon + 1);
  }
  throw InputError(fmt::format(
      "command.argv[0]: program '{}' is not in PATH; give its path (relative to {}) or install it",
      program, workdir.string()));
}

CommandOutcome run_command_trial(const CommandRuntime& runtime, const tune::Params& params,
                                 int trial_number, const ReportHandler& on_report) {
  const CommandConfig& config = runtime.config;
  CommandOutcome outcome;
  auto interrupted_before_start = [&] {
    outcome.ending = Ending::interrupted;
    outcome.failure = "interrupted before the program started";
    return outcome;
  };
  if (runtime.stop && runtime.stop->triggered()) return interrupted_before_start();
  std::optional<StopSwitch::Running> running;
  if (runtime.stop) running.emplace(*runtime.stop);
  std::optional<GpuPool::Lease> lease =
      runtime.gpus ? runtime.gpus->acquire(runtime.stop) : std::nullopt;
  if (runtime.gpus) {
    if (!lease) return interrupted_before_start();
    outcome.gpu = lease->gpu();
  }

  const auto trials_dir =
      resolve(runtime.base_dir, config.trials_dir.empty() ? "trials" : config.trials_dir);
  outcome.trial_dir = make_trial_folder(trials_dir, runtime.study, trial_number);
  outcome.log_file = outcome.trial_dir / "output.log";
  LogFile log(outcome.log_file);

  std::map<std::string, std::string> values = {{"trial_number", std::to_string(trial_number)},
                                               {"trial_dir", outcome.trial_dir.string()},
                                               {"study", runtime.study}};
  for (const auto& [name, value] : params) values[name] = value_text(value);
  SpawnRequest request;
  for (const auto& arg : config.argv) request.argv.push_back(expand(arg, values));
  request.env = trial_environment(runtime, params, values, trial_number, outcome.gpu);
  request.workdir = trial_workdir(runtime);

  // The account opens before the program starts, so none of its CPU time goes uncounted.
  auto cpu = std::make_shared<GroupCpu>(runtime.proc_root);
  std::optional<EnergyLedger::AccountId> account;
  if (runtime.ledger) {
    std::optional<std::set<std::string>> gpus;
    if (lease) {
      gpus.emplace();
      if (auto it = runtime.gpu_domains.find(lease->gpu()); it != runtime.gpu_domains.end()) {
        gpus->insert(it->second);
      }
    }
    account = runtime.ledger->open([cpu] { return cpu->cpu_seconds(); }, gpus);
  }
  auto close_account = [&] {
    if (account) outcome.energy = runtime.ledger->close(*account);
    account.reset();
  };
  // A run that unwinds (a store error while reporting, say) leaves no account open...
  OnExit account_left_open([&] {
    if (account) runtime.ledger->close(*account);
  });

  const auto started = Clock::now();
  Spawned child;
  try {
    child = spawn_in_own_group(request);
  } catch (const SpawnError& e) {
    close_account();
    outcome.ending = Ending::not_started;
    outcome.failure = e.what();
    log.write(fmt::format("greentune: {}\n", e.what()));
    return outcome;
  }
  const pid_t pid = child.pid;
  cpu->set_group(pid);
  // ...and no process of the trial behind.
  bool settled = false;
  OnExit processes_left_behind([&] {
    if (settled) return;
    signal_group(pid, SIGKILL);
    ::kill(pid, SIGKILL);
    // Every member got SIGKILL, so waiting for the group's processes that are ours is short.
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    while (::waitpid(-pid, nullptr, 0) > 0 || errno == EINTR) {
    }
  });

  // What the program printed so far.
  const ReportKeys keys = report_keys(config);
  const bool all_measured = keys.metrics.empty();
  std::optional<std::vector<double>> last_values, final_values;
  int64_t reports_seen = 0;
  Tail stderr_tail(runtime.stderr_tail_bytes);

  // How the program is being stopped, if it is.
  enum class Stage { none, term_sent, kill_sent } stage = Stage::none;
  std::optional<Ending> stop_reason;
  Clock::time_point term_at{}, kill_at{};
  const auto grace = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(config.grace_seconds));
  bool leader_done = false;
  int status = 0;
  Clock::time_point ended_at{};

  auto send = [&](int signo) {
    signal_group(pid, signo);
    if (!leader_done) ::kill(pid, signo);  // in case it left its group (setsid)
  };
  auto begin_stop = [&](std::optional<Ending> reason) {
    if (reason && !leader_done && !stop_reason) stop_reason = reason;
    if (stage != Stage::none) return;
    term_at = Clock::now();
    if (config.grace_seconds <= 0) {
      send(SIGKILL);
      stage = Stage::kill_sent;
      kill_at = term_at;
    } else {
      send(SIGTERM);
      stage = Stage::term_sent;
    }
  };

  auto handle_line = [&](std::string_view line) {
    auto report = parse_report_line(line, keys);
    const bool is_value = report && (!all_measured || report->final || report->step);
    if (!is_value) {
      log.write(line);
      log.write("\n");
      return;
    }
    const bool intermediate = keys.step.empty() ? !report->final : report->step.has_value();
    if (report->final) {
      final_values = report->values;
    } else {
      last_values = report->values;
    }
    if (!intermediate) return;
    StepReport step;
    step.step = keys.step.empty() ? ++reports_seen : *report->step;
    step.seconds = seconds_between(started, Clock::now());
    if (runtime.ledger) {
      LedgerReading reading = runtime.ledger->read(*account);
      step.joules = reading.joules;
      step.energy = std::move(reading.domains);
    } else {
      step.joules = std::nan("");
    }
    step.values = all_values(config, report->values, step.seconds, step.joules);
    outcome.reports.push_back(step);
    if (on_report && on_report(step) && stage == Stage::none) begin_stop(Ending::pruned);
  };
  LineSplitter stdout_lines(
      {handle_line, [&](std::string_view piece) { log.write(piece); }, [&] { log.write("\n"); }},
      runtime.max_line_bytes);

  bool out_open = true, err_open = true, stop_seen = false;
  char buffer[65536];
  // Reads what is there; `all`: until the pipe is empty, else a bounded amount so one busy stream
  // cannot starve the other.
  auto drain = [&](Fd& fd, bool& open, bool is_stdout, bool all) {
    for (int chunk = 0; open && (all || chunk < 16); ++chunk) {
      const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
      if (n > 0) {
        std::string_view bytes(buffer, static_cast<size_t>(n));
        if (is_stdout) {
          stdout_lines.feed(bytes);
        } else {
          log.write(bytes);
          stderr_tail.add(bytes);
        }
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      open = false;  // end of stream (or an error, which ends it too)
      fd.reset();
      if (is_stdout) stdout_lines.finish();
    }
  };
  auto reap = [&] {
    int st = 0;
    rusage usage{};
    auto reaped = [&](pid_t who) {
      if (who > 0) cpu->add_reaped(rusage_seconds(usage));
      if (who != pid) return;
      leader_done = true;
      status = st;
      ended_at = Clock::now();
    };
    if (!leader_done) reaped(wait4(pid, &st, WNOHANG, &usage));
    // Orphans of the program that this process adopted (adopt_orphans()) are reaped here too.
    for (pid_t who; (who = wait4(-pid, &st, WNOHANG, &usage)) > 0;) reaped(who);
  };

  const bool has_deadline = config.timeout_seconds > 0;
  const auto deadline =
      started + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(has_deadline ? config.timeout_seconds : 0));
  while (true) {
    reap();
    if (leader_done && stage == Stage::none && group_alive(pid)) {
      begin_stop(std::nullopt);  // the program ended but left processes behind: stop them too
    }
    if (leader_done && !group_alive(pid)) {
      // Whatever is still buffered; a process that left the group may hold the pipes open.
      if (out_open) drain(child.out, out_open, true, true);
      if (err_open) drain(child.err, err_open, false, true);
      break;
    }
    const auto now = Clock::now();
    if (!leader_done && stage == Stage::none && has_deadline && now >= deadline) {
      begin_stop(Ending::timed_out);
    }
    if (stage == Stage::term_sent && now >= term_at + grace) {
      send(SIGKILL);
      stage = Stage::kill_sent;
      kill_at = now;
    }
    if (stage == Stage::kill_sent && now >= kill_at + std::chrono::seconds(5)) {
      log.write("greentune: processes of the trial survived SIGKILL for 5 s; giving up on them\n");
      break;
    }

    std::vector<pollfd> fds;
    if (out_open) fds.push_back({child.out.get(), POLLIN, 0});
    if (err_open) fds.push_back({child.err.get(), POLLIN, 0});
    if (!leader_done && child.pidfd) fds.push_back({child.pidfd.get(), POLLIN, 0});
    if (runtime.stop && !stop_seen) fds.push_back({runtime.stop->fd(), POLLIN, 0});
    std::optional<Clock::time_point> wake;
    auto wake_by = [&](Clock::time_point t) { wake = wake ? std::min(*wake, t) : t; };
    if (!leader_done && stage == Stage::none && has_deadline) wake_by(deadline);
    if (stage == Stage::term_sent) wake_by(term_at + grace);
    if (stage == Stage::kill_sent) wake_by(kill_at + std::chrono::seconds(5));
    // Nothing signals that a group emptied, or (without pidfd) that the program exited.
    if (leader_done || !child.pidfd) wake_by(now + std::chrono::milliseconds(20));
    int timeout_ms = -1;
    if (wake) {
      timeout_ms = static_cast<int>(std::clamp<int64_t>(
          std::chrono::ceil<std::chrono::milliseconds>(*wake - now).count(), 0, 60000));
    }
    const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      throw IoError(
          fmt::format("waiting for trial {}: poll: {}", trial_number, std::strerror(errno)));
    }
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (out_open && p.fd == child.out.get()) {
        drain(child.out, out_open, true, false);
      } else if (err_open && p.fd == child.err.get()) {
        drain(child.err, err_open, false, false);
      } else if (runtime.stop && p.fd == runtime.stop->fd()) {
        stop_seen = true;
        begin_stop(Ending::interrupted);
      }
    }
  }
  settled = true;
  if (!leader_done) ended_at = Clock::now();

  close_account();
  outcome.seconds = seconds_between(started, ended_at);
  outcome.stderr_tail = valid_utf8(stderr_tail.text());
  const double joules = outcome.energy ? outcome.energy->joules : std::nan("");

  if (stop_reason) {
    outcome.ending = *stop_reason;
    if (*stop_reason == Ending::timed_out) {
      outcome.failure = fmt::format("timed out: still running after timeout_seconds = {} s",
                                    config.timeout_seconds);
    } else if (*stop_reason == Ending::interrupted) {
      outcome.failure = "interrupted: greentune was stopped";
    } else if (*stop_reason == Ending::pruned) {
      outcome.failure =
          fmt::format("pruned after step {}",
                      outcome.reports.empty() ? int64_t{0} : outcome.reports.back().step);
      if (!outcome.reports.empty()) outcome.values = outcome.reports.back().values;
    }
    return outcome;
  }
  if (!leader_done) {
    outcome.ending = Ending::signalled;
    outcome.signal = SIGKILL;
    outcome.failure = "the program could not be stopped (it ignored SIGKILL for 5 s)";
    return outcome;
  }
  if (WIFSIGNALED(status)) {
    outcome.ending = Ending::signalled;
    outcome.signal = WTERMSIG(status);
    outcome.failure = fmt::format("killed by {}", signal_name(outcome.signal));
    return outcome;
  }
  outcome.ending = Ending::exited;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (outcome.exit_code != 0) {
    outcome.failure = fmt::format("exit code {}", outcome.exit_code);
    return outcome;
  }
  const auto& read = final_values ? final_values : last_values;
  if (!read && !all_measured) {
    std::string wanted;
    for (const auto& m : keys.metrics) wanted += (wanted.empty() ? "\"" : ", \"") + m + "\"";
    outcome.failure =
        fmt::format("exited 0 without a value: no JSON line on stdout held {} (output in {})",
                    wanted, outcome.log_file.string());
    return outcome;
  }
  outcome.values =
      all_values(config, read ? *read : std::vector<double>{}, outcome.seconds, joules);
  outcome.failure = value_problem(config, *outcome.values);
  return outcome;
}

}  // namespace greentune::command
