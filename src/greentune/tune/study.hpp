#pragma once
// A study: ask/tell and optimize(objective, n) over a Storage and a Sampler (Optuna's split).
// Everything lives in storage, so several processes (or machines) can work on one study, and a
// study re-opened by name continues where it stopped:
//
//   auto storage = store::open_storage("sqlite:studies.db");   // store/open_storage.hpp
//   tune::Study study(*storage, options, tune::make_sampler("bayes", {}));
//   study.optimize(objective, 30);            // or: auto t = study.ask(); ...; study.tell(*t, r);
//
// While a trial runs, a heartbeat thread refreshes it in storage; a trial whose process died (no
// heartbeat for stale_seconds) or was interrupted is marked failed with `retry` set, keeping the
// time and energy it had used, and its point is proposed again. A trial that failed by itself keeps
// its point taken (a configuration that always crashes must not block a grid); neither counts as a
// round.
//
// Early stopping and energy budgets (StudyOptions::pruner, ::budget): after each intermediate
// report the objective asks TrialContext::should_prune(), which decides from the store (every
// trial's reports, other workers' included; see pruner.hpp and budget.hpp), so all workers of a
// study decide alike and a dead worker's trial blocks nobody. An objective told to stop returns
// state `pruned`; the study then stores the trial as
// - pruned (the pruner's reason as its error), a finished round, its reports and joules kept;
// - failed, retry set, "study energy budget: ..." when the study's max_joules is spent (no trial
//   starts after that: ask() says std::nullopt);
// - failed, no retry, "energy budget: ..." when the trial went past max_trial_joules.
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "greentune/tune/budget.hpp"
#include "greentune/tune/objective.hpp"
#include "greentune/tune/pruner.hpp"
#include "greentune/tune/sampler.hpp"
#include "greentune/tune/space.hpp"
#include "greentune/tune/storage.hpp"
#include "greentune/tune/study_objectives.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {

struct StudyOptions {
  std::string name;
  Direction direction = Direction::minimize;
  // Several objectives, metric names, constraints (study_objectives.hpp). Empty directions: one
  // objective in `direction`; otherwise `direction` is taken from its first entry.
  StudyObjectives objectives;
  std::string strategy;   // recorded with the study (the sampler itself is passed in)
  std::string objective;  // recorded; a re-opened study must have the same one
  SearchSpace space;
  std::string config_json = "{}";
  std::string group;
  uint64_t seed = 1234;
  // Total finished (complete, diverged or pruned) trials the study aims for, over all runs and
  // workers; 0: no limit (optimize's n alone decides).
  int rounds = 0;
  double heartbeat_seconds = 10;
  double stale_seconds = 60;  // a running trial without a heartbeat this long is failed
  // A deterministic failure must not loop forever: give up after this many failed trials in a row.
  int max_consecutive_failures = 5;
  std::string host;  // "": this machine's host name
  // Early stopping, asked after each intermediate report; nullptr: no trial is pruned.
  std::shared_ptr<const Pruner> pruner;
  EnergyBudget budget;  // zeros: none
};

// Why a running trial should stop now (TrialContext::should_prune), and how it is then stored.
struct TrialStop {
  TrialState state = TrialState::running;  // running: go on; pruned; failed (an energy budget)
  bool retry = false;                      // failed: the study budget (the point is not to blame)
  std::string reason;                      // the stored trial's error text
  bool stop() const { return state != TrialState::running; }
};

// One round as optimize() reports it.
struct Progress {
  int round = 0;   // finished trials of the study so far (this one included); not its number
  int rounds = 0;  // the study's target (0: none)
  const Trial* trial = nullptr;
  std::optional<double> best;  // best value of the study so far (feasible trials only)
  // Several objectives: the size of the front so far and the hypervolume it covers (front.hpp);
  // `best` is then unset.
  std::optional<int> front_size;
  std::optional<double> hypervolume;
  double joules = 0;  // joules of all the study's trials so far, running ones' reports included
  double eta_seconds = -1;    // -1: unknown
  EnergyBudget budget;        // the study's budgets (zeros: none)
  bool budget_spent = false;  // `joules` reached budget.max_joules: no further trial starts
  int pruned = 0;             // pruned trials of the study so far
  double pruned_joules = 0;   // what they used
};
using ProgressCallback = std::function<void(const Progress&)>;

class Study {
 public:
  // Checks the options (InputError for a name or group that is not a printable name, or a space
  // that validate_space refuses), creates the study in storage or re-opens it (InputError if its
  // direction, strategy, objective or space differ), then fails trials left running by dead
  // processes.
  Study(Storage& storage, StudyOptions options, std::unique_ptr<Sampler> sampler);
  ~Study();
  Study(const Study&) = delete;
  Study& operator=(const Study&) = delete;

  const StudyInfo& info() const { return info_; }
  const StudyOptions& options() const { return options_; }

  // Claims the next trial (running, heartbeat started). std::nullopt when the study has its
  // rounds (running trials of other workers included), its energy budget is spent, or the
  // sampler has nothing left.
  std::optional<Trial> ask();
  // Finishes a trial asked for by this process. StoreError if the trial is no longer running
  // (e.g. failed as stale by another worker): the result is then not counted. A result in state
  // `pruned` after judge_running_trial() said stop is stored as that verdict says (pruned with
  // its reason, or failed for an energy budget).
  void tell(const Trial& trial, const ObjectiveResult& result);
  // Should the running trial (asked for by this process) stop now? Decided from the store at its
  // latest report: the energy budgets first, then the pruner. Reads the store only when a pruner
  // or a budget is set. What TrialContext::should_prune() answers in optimize().
  TrialStop judge_running_trial(const Trial& trial);
  // True when a study budget is set and the store's trials have spent it.
  bool budget_spent() const;
  // `retry`: the point itself is not to blame (the worker died or was interrupted), so it is
  // proposed again; otherwise it stays taken and the sampler moves on (rounds still not counted).
  // `used`: the time and energy the trial had used; without it, what the trial's usage probe
  // says, else the seconds since it was asked for (and the store keeps its last report's joules).
  void tell_failed(const Trial& trial, const std::string& error, bool retry = false,
                   std::optional<Usage> used = std::nullopt);

  // Runs up to `n` trials in this process, fewer if ask() says the study is done. Exceptions
  // from the objective mark the trial failed (retryable) and propagate. Returns the trials this
  // call finished.
  std::vector<Trial> optimize(const Objective& objective, int n,
                              const ProgressCallback& progress = {});

  std::vector<Trial> trials() const;
  // The best complete trial that satisfies the constraints, by the first objective.
  std::optional<Trial> best_trial() const;
  int finished_count() const;  // complete + diverged + pruned

  // Marks every trial this process is running as failed and retryable (used on SIGINT/SIGTERM),
  // with what each had used so far (its usage probe, or the seconds since it was asked for).
  // Thread-safe.
  void fail_open_trials(const std::string& reason);
  // How an interrupted trial measures what it used (see TrialContext::set_usage_probe).
  void set_usage_probe(int64_t trial_id, UsageProbe probe);

 private:
  // Fills options_.objectives from `direction` and the objective where not given.
  void normalise_objectives();
  // Several objectives: the front's size and hypervolume instead of a best value.
  void add_front(Progress& progress, const std::vector<Trial>& trials) const;
  void heartbeat_loop();
  // Fails trials whose heartbeat is stale, and at once those whose process on this host is gone.
  void fail_abandoned_trials();
  // What the open trial `trial_id` used so far (its probe, else the seconds since it was asked).
  Usage used_so_far(int64_t trial_id);

  struct OpenTrial {
    double asked_at = 0;  // steady clock seconds
    UsageProbe probe;
    TrialStop stop;  // the last verdict of judge_running_trial
  };

  Storage& storage_;
  StudyOptions options_;
  std::unique_ptr<Sampler> sampler_;
  StudyInfo info_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<int64_t, OpenTrial> open_trials_;
  bool stopping_ = false;
  std::thread heartbeat_;
};

// True for the states that count as a finished round (complete, diverged, pruned).
bool counts_as_round(TrialState state);
// A failed trial whose point is to be run again (its `retry` flag).
bool is_retryable_failure(const Trial& trial);
// Direction-aware: is `a` better than `b`?
bool better(double a, double b, Direction direction);

// Catches SIGINT and SIGTERM (unless they were ignored when the process started, as nohup and
// background jobs arrange) and handles them on its own thread: `on_signal(signo)` runs there
// (e.g. fail the running trial), then the process exits with 128 + signo. The handler only writes
// to a pipe, so it works whichever thread (LibTorch's, the monitor's) the kernel picks. One guard
// at a time per process.
class SignalGuard {
 public:
  explicit SignalGuard(std::function<void(int)> on_signal);
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  std::function<void(int)> on_signal_;
  std::atomic<bool> stop_{false};
  int pipe_[2] = {-1, -1};
  struct sigaction old_int_ {
  }, old_term_{};
  bool caught_int_ = false, caught_term_ = false;
  std::thread waiter_;
};

}  // namespace greentune::tune
