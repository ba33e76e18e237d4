#include "greentune/tune/study.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "greentune/common/error.hpp"
#include "greentune/tune/config.hpp"
#include "greentune/tune/front.hpp"
#include "greentune/tune/metrics.hpp"
#include "greentune/tune/names.hpp"

namespace greentune::tune {
namespace {

std::string this_host() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// The pid namespace, so a pid is only trusted by processes that see the same pids (containers
// sharing a store on one host name do not).
std::string pid_namespace() {
  char target[128] = {};
  ssize_t n = readlink("/proc/self/ns/pid", target, sizeof target - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
}

// True when `trial` was started by a process of this host and pid namespace that is gone.
bool owner_is_dead(const Trial& trial, const std::string& host, const std::string& pid_ns) {
  if (trial.state != TrialState::running || trial.host != host || pid_ns.empty() ||
      trial.pid_namespace != pid_ns) {
    return false;
  }
  if (trial.pid <= 0 || trial.pid == getpid()) return false;
  return kill(static_cast<pid_t>(trial.pid), 0) != 0 && errno == ESRCH;
}

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

class StoredTrialContext final : public TrialContext {
 public:
  StoredTrialContext(Study& study, Storage& storage, const Trial& trial)
      : study_(study), storage_(storage), trial_(trial), started_(now_seconds()) {}
  int number() const override { return trial_.number; }
  const Params& params() const override { return trial_.params; }
  using TrialContext::report;
  void report(const IntermediateReport& report) override {
    IntermediateReport stored = report;
    if (std::isnan(stored.seconds)) stored.seconds = now_seconds() - started_;
    storage_.report_intermediate(trial_.id, stored);
    judged_ = stop_.stop();  // a verdict to stop stands; otherwise the new report is judged
  }
  bool should_prune() const override {
    // Once per report: asking again reads the store no second time.
    if (!judged_) {
      try {
        stop_ = study_.judge_running_trial(trial_);
        judged_ = true;
      } catch (const std::exception& e) {
        // A missed verdict costs at most one step; failing the trial for it would cost it all.
        spdlog::warn("study '{}': trial {}: could not decide whether to stop it, going on: {}",
                     study_.info().name, trial_.number, e.what());
      }
    }
    return stop_.stop();
  }
  void set_usage_probe(UsageProbe probe) override {
    study_.set_usage_probe(trial_.id, std::move(probe));
  }

 private:
  Study& study_;
  Storage& storage_;
  const Trial& trial_;
  double started_;
  mutable bool judged_ = false;
  mutable TrialStop stop_;
};

}  // namespace

bool counts_as_round(TrialState state) {
  return state == TrialState::complete || state == TrialState::diverged ||
         state == TrialState::pruned;
}

bool is_retryable_failure(const Trial& trial) {
  return trial.state == TrialState::failed && trial.retry;
}

bool better(double a, double b, Direction direction) {
  return direction == Direction::minimize ? a < b : a > b;
}

Study::Study(Storage& storage, StudyOptions options, std::unique_ptr<Sampler> sampler)
    : storage_(storage), options_(std::move(options)), sampler_(std::move(sampler)) {
  check_name(options_.name, "study name");
  if (!options_.group.empty()) check_name(options_.group, "study group");
  try {
    validate_space(options_.space);
  } catch (const InputError& e) {
    // The same rules as a config's [space]: a space built in C++ gets no weaker checks.
    throw InputError(fmt::format("study '{}': {}", options_.name, e.what()));
  }
  if (!sampler_) throw InputError(fmt::format("study '{}': no sampler given", options_.name));
  if (options_.heartbeat_seconds <= 0 || options_.stale_seconds < 2 * options_.heartbeat_seconds) {
    throw InputError(fmt::format(
        "study '{}': stale_seconds ({}) must be at least twice heartbeat_seconds ({}) and both "
        "positive, or live trials would be taken for dead ones",
        options_.name, options_.stale_seconds, options_.heartbeat_seconds));
  }
  if (options_.rounds < 0) {
    throw InputError(
        fmt::format("study '{}': rounds = {}; expected >= 0", options_.name, options_.rounds));
  }
  if (options_.host.empty()) options_.host = this_host();
  normalise_objectives();
  StudyInfo wanted;
  wanted.name = options_.name;
  wanted.direction = options_.direction;
  wanted.directions = options_.objectives.directions;
  wanted.metrics = stored_metrics(options_.objectives.metrics, options_.objective);
  wanted.strategy = options_.strategy.empty() ? sampler_->name() : options_.strategy;
  wanted.objective = options_.objective;
  wanted.space_json = space_to_json(options_.space).dump();
  wanted.config_json = options_.config_json;
  wanted.group = options_.group;
  info_ = storage_.create_or_open_study(wanted);
  fail_abandoned_trials();
  heartbeat_ = std::thread([this] { heartbeat_loop(); });
}

Study::~Study() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

void Study::heartbeat_loop() {
  // Signals belong to the main thread (or a SignalGuard): a Ctrl-C taken here would kill the
  // process with its trial still marked running.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  std::unique_lock lock(mutex_);
  auto interval = std::chrono::duration<double>(options_.heartbeat_seconds);
  while (!stopping_) {
    wake_.wait_for(lock, interval, [this] { return stopping_; });
    if (stopping_) break;
    std::vector<int64_t> open;
    for (const auto& [id, trial] : open_trials_) open.push_back(id);
    lock.unlock();
    for (int64_t id : open) {
      try {
        storage_.heartbeat(id);
      } catch (const std::exception& e) {
        // A missed beat is survivable; stale_seconds leaves room for several.
        spdlog::warn("study '{}': heartbeat for trial id {} failed: {}", info_.name, id, e.what());
      }
    }
    lock.lock();
  }
}

void Study::fail_abandoned_trials() {
  for (const auto& t : storage_.fail_stale_trials(info_.id, options_.stale_seconds)) {
    spdlog::warn("study '{}': trial {} (host {}) had no heartbeat for over {} s; marked failed",
                 info_.name, t.number, t.host, options_.stale_seconds);
  }
  // A process of this machine that died (kill -9, OOM killer) need not wait for staleness.
  std::string pid_ns = pid_namespace();
  for (const auto& t : storage_.trials(info_.id)) {
    if (!owner_is_dead(t, options_.host, pid_ns)) continue;
    // What it had used is what its last report said; the store keeps that (finish_trial).
    Trial result;
    result.state = TrialState::failed;
    result.error = "the process running it on this host is gone";
    result.retry = true;
    try {
      storage_.finish_trial(t.id, result);
      spdlog::warn("study '{}': trial {} was left running by a dead process; marked failed",
                   info_.name, t.number);
    } catch (const TrialNotRunningError&) {
      // Another worker got there first.
    }
  }
}

std::optional<Trial> Study::ask() {
  fail_abandoned_trials();
  auto propose = [this](const std::vector<Trial>& history) -> std::optional<Params> {
    // Retryable failures are left out, so their points are proposed again (a crash loses no grid
    // point). Only finished rounds and running trials count towards the rounds.
    std::vector<Trial> live;
    int taken = 0;
    for (const auto& t : history) {
      if (is_retryable_failure(t)) continue;
      if (t.state != TrialState::failed) ++taken;
      live.push_back(t);
    }
    if (options_.rounds > 0 && taken >= options_.rounds) return std::nullopt;
    // Every trial's joules count here, retried failures included: they were spent.
    if (study_budget_spent(options_.budget, study_joules_spent(history))) return std::nullopt;
    SamplerContext context{options_.space, live, options_.direction, options_.seed};
    return sampler_->propose(context);
  };
  TrialOwner owner{options_.host, getpid(), pid_namespace()};
  auto trial = storage_.claim_trial(info_.id, owner, propose);
  if (trial) {
    std::lock_guard lock(mutex_);
    open_trials_[trial->id] = OpenTrial{now_seconds(), {}, {}};
  }
  return trial;
}

void Study::tell(const Trial& trial, const ObjectiveResult& result) {
  TrialStop stop;
  {
    std::lock_guard lock(mutex_);
    auto open = open_trials_.find(trial.id);
    if (open != open_trials_.end()) {
      stop = open->second.stop;
      open_trials_.erase(open);
    }
  }
  Trial finished = trial;
  finished.state = result.state == TrialState::running ? TrialState::complete : result.state;
  finished.values = result.values;
  finished.seconds = result.seconds;
  finished.energy = result.energy;
  finished.joules = result.joules;
  if (finished.joules == 0)
    for (const auto& e : result.energy) finished.joules += std::isfinite(e.joules) ? e.joules : 0;
  finished.error = result.error;
  finished.conditions = result.conditions;
  finished.training = result.training;
  finished.attributes = result.attributes;
  if (finished.state == TrialState::complete &&
      (finished.values.empty() || !std::all_of(finished.values.begin(), finished.values.end(),
                                               [](double v) { return std::isfinite(v); }))) {
    // A complete trial without usable values would poison every model fitted on it.
    finished.state = TrialState::diverged;
    if (finished.error.empty()) finished.error = "the objective returned no finite value";
    finished.values.clear();
  }
  if (finished.state == TrialState::diverged) finished.values.clear();
  if (finished.state == TrialState::pruned && stop.stop()) {
    // The objective stopped because it was told to: the verdict says what the trial becomes.
    if (stop.state == TrialState::failed) {
      finished.state = TrialState::failed;
      finished.retry = stop.retry;
      finished.error = stop.reason;
      finished.values.clear();
    } else {
      // The pruner's reason first; what the objective says about stopping follows.
      finished.error = finished.error.empty() ? stop.reason : stop.reason + "; " + finished.error;
    }
  }
  finished.intermediate.clear();  // already stored by TrialContext::report
  storage_.finish_trial(trial.id, finished);
}

TrialStop Study::judge_running_trial(const Trial& trial) {
  const bool budgets = options_.budget.max_joules > 0 || options_.budget.max_trial_joules > 0;
  if (!options_.pruner && !budgets) return {};
  const std::vector<Trial> history = storage_.trials(info_.id);
  const Trial* current = nullptr;
  for (const auto& t : history)
    if (t.id == trial.id) current = &t;
  if (current == nullptr || current->state != TrialState::running) return {};
  TrialStop stop;
  if (budgets) {
    const BudgetVerdict verdict = check_running_trial(options_.budget, study_joules_spent(history),
                                                      spend_of(*current).joules);
    if (verdict.stop != BudgetStop::none)
      stop = {TrialState::failed, verdict.retry, verdict.reason};
  }
  if (!stop.stop() && options_.pruner) {
    const PruneDecision decision =
        decide_from_trials(*options_.pruner, history, current->number, options_.direction);
    if (decision.prune) stop = {TrialState::pruned, false, decision.reason};
  }
  if (stop.stop()) {
    std::lock_guard lock(mutex_);
    auto open = open_trials_.find(trial.id);
    if (open != open_trials_.end()) open->second.stop = stop;
  }
  return stop;
}

bool Study::budget_spent() const {
  if (options_.budget.max_joules <= 0) return false;
  return study_budget_spent(options_.budget, study_joules_spent(storage_.trials(info_.id)));
}

void Study::tell_failed(const Trial& trial, const std::string& error, bool retry,
                        std::optional<Usage> used) {
  Usage usage = used ? *used : used_so_far(trial.id);
  ObjectiveResult result;
  result.state = TrialState::failed;
  result.error = error;
  result.seconds = usage.seconds;
  result.joules = usage.joules;
  result.energy = usage.energy;
  Trial failed = trial;
  failed.retry = retry;
  // tell() keeps `retry` from the trial it is given.
  tell(failed, result);
}

void Study::set_usage_probe(int64_t trial_id, UsageProbe probe) {
  std::lock_guard lock(mutex_);
  auto it = open_trials_.find(trial_id);
  if (it != open_trials_.end()) it->second.probe = std::move(probe);
}

Usage Study::used_so_far(int64_t trial_id) {
  OpenTrial open;
  {
    std::lock_guard lock(mutex_);
    auto it = open_trials_.find(trial_id);
    if (it == open_trials_.end()) return {};
    open = it->second;
  }
  Usage usage;
  usage.seconds = now_seconds() - open.asked_at;
  if (open.probe) {
    try {
      usage = open.probe();
    } catch (const std::exception& e) {
      spdlog::warn("study '{}': measuring interrupted trial id {} failed: {}", info_.name, trial_id,
                   e.what());
    }
  }
  return usage;
}

void Study::fail_open_trials(const std::string& reason) {
  std::vector<int64_t> open;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, trial] : open_trials_) open.push_back(id);
  }
  for (int64_t id : open) {
    Usage usage = used_so_far(id);
    {
      std::lock_guard lock(mutex_);
      open_trials_.erase(id);
    }
    Trial result;
    result.state = TrialState::failed;
    result.error = reason;
    result.retry = true;
    result.seconds = usage.seconds;
    result.joules = usage.joules;
    result.energy = usage.energy;
    try {
      storage_.finish_trial(id, result);
    } catch (const std::exception& e) {
      spdlog::warn("study '{}': could not mark trial id {} failed: {}", info_.name, id, e.what());
    }
  }
}

std::vector<Trial> Study::optimize(const Objective& objective, int n,
                                   const ProgressCallback& progress) {
  std::vector<Trial> done;
  int failures_in_a_row = 0;
  double started = now_seconds();
  for (int i = 0; i < n; ++i) {
    std::optional<Trial> trial = ask();
    if (!trial) break;
    StoredTrialContext context(*this, storage_, *trial);
    ObjectiveResult result;
    double t0 = now_seconds();
    try {
      result = objective(trial->params, context);
    } catch (const std::exception& e) {
      try {
        // The run stops here; once its cause is fixed, the rerun tries the same point first.
        tell_failed(*trial, e.what(), /*retry=*/true);
      } catch (const std::exception& inner) {
        spdlog::warn("study '{}': trial {}: {}", info_.name, trial->number, inner.what());
      }
      throw;
    }
    set_usage_probe(trial->id, {});  // the objective's probe may refer to what it has freed
    if (result.seconds == 0) result.seconds = now_seconds() - t0;
    try {
      tell(*trial, result);
    } catch (const TrialNotRunningError& e) {
      spdlog::warn("study '{}': {}", info_.name, e.what());
      continue;
    }

    failures_in_a_row = result.state == TrialState::failed ? failures_in_a_row + 1 : 0;
    if (failures_in_a_row >= options_.max_consecutive_failures) {
      throw Error(fmt::format(
          "study '{}': {} trials failed in a row (last: trial {}, {}); stopping so a failing "
          "configuration is not retried forever",
          info_.name, failures_in_a_row, trial->number,
          result.error.empty() ? std::string("no reason given") : result.error));
    }

    std::vector<Trial> all = storage_.trials(info_.id);
    Trial* mine = nullptr;
    Progress p;
    p.rounds = options_.rounds;
    p.budget = options_.budget;
    p.joules = study_joules_spent(all);
    p.budget_spent = study_budget_spent(options_.budget, p.joules);
    for (auto& t : all) {
      if (t.id == trial->id) mine = &t;
      if (t.state == TrialState::pruned) {
        ++p.pruned;
        if (std::isfinite(t.joules)) p.pruned_joules += t.joules;
      }
      if (counts_as_round(t.state)) ++p.round;
      if (is_feasible(t, options_.objectives) && t.value() &&
          (!p.best || better(*t.value(), *p.best, options_.direction))) {
        p.best = t.value();
      }
    }
    add_front(p, all);
    if (mine) done.push_back(*mine);
    if (progress && mine) {
      p.trial = mine;
      int remaining =
          std::min(options_.rounds > 0 ? options_.rounds - p.round : n - i - 1, n - i - 1);
      double per_trial = (now_seconds() - started) / static_cast<double>(i + 1);
      p.eta_seconds = remaining > 0 ? per_trial * remaining : 0;
      progress(p);
    }
  }
  return done;
}

std::vector<Trial> Study::trials() const {
  return storage_.trials(info_.id);
}

std::optional<Trial> Study::best_trial() const {
  std::optional<Trial> best;
  for (auto& t : storage_.trials(info_.id)) {
    if (!is_feasible(t, options_.objectives) || !t.value()) continue;
    if (!best || better(*t.value(), *best->value(), options_.direction)) best = t;
  }
  return best;
}

void Study::normalise_objectives() {
  auto& o = options_.objectives;
  if (o.directions.empty()) o.directions = {options_.direction};
  options_.direction = o.directions.front();
  if (o.metrics.empty()) o.metrics = default_metrics(options_.objective);
  if (o.metrics.size() != o.directions.size())
    throw InputError(fmt::format("study '{}': {} metric(s) ({}) for {} direction(s)", options_.name,
                                 o.metrics.size(), fmt::join(o.metrics, ", "),
                                 o.directions.size()));
  for (auto& c : o.constraints) bind_constraint(c, o.metrics);
}

void Study::add_front(Progress& progress, const std::vector<Trial>& trials) const {
  if (!options_.objectives.multi_objective()) return;
  const auto front = pareto_front(trials, options_.objectives);
  progress.best.reset();
  progress.front_size = static_cast<int>(front.members.size());
  progress.hypervolume = front.hypervolume;
}

int Study::finished_count() const {
  int count = 0;
  for (const auto& t : storage_.trials(info_.id)) count += counts_as_round(t.state) ? 1 : 0;
  return count;
}

namespace {

// The write end of the guard's pipe; the only state a signal handler may touch.
std::atomic<int> signal_pipe{-1};

void forward_signal(int signo) {
  int fd = signal_pipe.load();
  if (fd < 0) return;
  auto byte = static_cast<unsigned char>(signo);
  ssize_t ignored = write(fd, &byte, 1);
  (void)ignored;
}

// Installs the forwarding handler unless the signal is ignored (nohup, `cmd &` in scripts).
bool catch_signal(int signo, struct sigaction& old) {
  sigaction(signo, nullptr, &old);
  if (old.sa_handler == SIG_IGN) return false;
  struct sigaction action {};
  action.sa_handler = forward_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(signo, &action, nullptr);
  return true;
}

}  // namespace

SignalGuard::SignalGuard(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
  if (pipe2(pipe_, O_CLOEXEC) != 0) {
    throw Error(fmt::format("cannot create the signal pipe: {}", std::strerror(errno)));
  }
  signal_pipe = pipe_[1];
  caught_int_ = catch_signal(SIGINT, old_int_);
  caught_term_ = catch_signal(SIGTERM, old_term_);
  waiter_ = std::thread([this] {
    // Only the guard's own handler may run here; the rest of the process keeps its signals.
    // It sleeps until a byte arrives: a signal number, or 0 from the destructor. A timed poll
    // made every command that held a guard wait up to the timeout at exit.
    pollfd pfd{pipe_[0], POLLIN, 0};
    while (!stop_) {
      if (poll(&pfd, 1, -1) <= 0) continue;
      unsigned char signo = 0;
      if (read(pipe_[0], &signo, 1) != 1 || signo == 0) continue;
      if (on_signal_) on_signal_(signo);
      std::fflush(stdout);
      std::fflush(stderr);
      _exit(128 + signo);
    }
  });
}

SignalGuard::~SignalGuard() {
  if (caught_int_) sigaction(SIGINT, &old_int_, nullptr);
  if (caught_term_) sigaction(SIGTERM, &old_term_, nullptr);
  signal_pipe = -1;
  stop_ = true;
  const unsigned char wake = 0;
  while (write(pipe_[1], &wake, 1) < 0 && errno == EINTR) {
  }
  waiter_.join();
  close(pipe_[0]);
  close(pipe_[1]);
}

}  // namespace greentune::tune
