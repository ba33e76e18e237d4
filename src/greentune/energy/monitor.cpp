#include "greentune/energy/monitor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "greentune/common/error.hpp"

namespace greentune::energy {

namespace {

using Clock = std::chrono::steady_clock;

struct DomainCounter {
  bool has_last = false;
  uint64_t last = 0;
  Clock::time_point last_time;  // when `last` was read
  uint64_t units = 0;           // units counted since the Monitor started, across wraps
  double joules_per_unit = 1.0;
  uint64_t wraps_at = 0;
  // Steps of more than half the counter's range between two reads: the source's promise (at most
  // half a range per interval at twice its stated power) was broken, and a step of more than a
  // whole range would look like a small one.
  uint64_t suspect_steps = 0;
  double largest_step = 0;  // largest step seen, as a fraction of the range
};

struct Window {
  Clock::time_point start;
  std::vector<uint64_t> units;
  std::vector<uint64_t> suspect_steps;
  uint64_t samples = 0;
  uint64_t missed = 0;
};

// What a recording needs per domain to turn counters into a time series.
struct RecordingDomain {
  uint64_t start_units = 0;
  double last_seconds = 0;
  double last_joules = 0;
};

// How far a counter advanced from `last` to `value`; false when the pair cannot be trusted.
bool counter_delta(uint64_t last, const CounterRead& read, uint64_t& delta) {
  if (read.wraps_at == 0) {
    // A cumulative counter that goes backwards was reset (driver reload, glitch): nothing between
    // the two reads can be known, so the interval is dropped rather than guessed.
    if (read.value < last) return false;
    delta = read.value - last;
    return true;
  }
  if (read.value >= read.wraps_at || last >= read.wraps_at) return false;
  delta = read.value >= last ? read.value - last : read.wraps_at - last + read.value;
  return true;
}

}  // namespace

struct Monitor::State {
  std::vector<std::unique_ptr<Source>> sources;
  std::vector<size_t> domain_counts;  // per source, fixed at start: domains() copies strings
  std::vector<DomainInfo> infos;
  MonitorOptions options;
  std::chrono::milliseconds interval{100};

  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::vector<DomainCounter> counters;
  uint64_t samples = 0;
  uint64_t missed = 0;
  std::map<std::string, Window> windows;
  std::vector<double> idle_watts;
  std::thread sampler;

  bool recording = false;
  Clock::time_point recording_start;
  std::vector<RecordingDomain> recording_domains;
  std::vector<PowerSample> recorded;

  // A wrapping counter advanced `delta` units since its last read at `counter.last_time`: a step
  // over a quarter of its range means it runs faster than its source promised, so the interval
  // is bounded by what was seen; over half its range, a whole wrap may have gone unseen.
  void note_step(DomainCounter& counter, uint64_t delta, Clock::time_point now) {
    const double fraction = static_cast<double>(delta) / static_cast<double>(counter.wraps_at);
    counter.largest_step = std::max(counter.largest_step, fraction);
    if (fraction > 0.5) ++counter.suspect_steps;
    if (fraction <= 0.25) return;
    const double seconds = std::chrono::duration<double>(now - counter.last_time).count();
    const auto bound =
        std::max(std::chrono::milliseconds(1),
                 std::chrono::milliseconds(static_cast<int64_t>(seconds * 0.25 / fraction * 1000)));
    if (bound < interval) {
      interval = bound;
      wake.notify_all();  // the sampler's next tick moves closer
    }
  }

  void record_locked(size_t i, Clock::time_point now) {
    RecordingDomain& r = recording_domains[i];
    const double seconds = std::chrono::duration<double>(now - recording_start).count();
    const double joules =
        static_cast<double>(counters[i].units - r.start_units) * counters[i].joules_per_unit;
    const double elapsed = seconds - r.last_seconds;
    const double watts = elapsed > 0 ? (joules - r.last_joules) / elapsed : 0.0;
    recorded.push_back({seconds, i, watts, joules});
    r.last_seconds = seconds;
    r.last_joules = joules;
  }

  // One read of every source; callers hold `mutex`, so boundary reads and the sampler thread
  // never interleave on a source.
  void sample_locked() {
    bool failed = false;
    size_t first = 0;
    const auto now = Clock::now();
    for (size_t k = 0; k < sources.size(); ++k) {
      Source* source = sources[k].get();
      const size_t count = domain_counts[k];
      std::vector<CounterRead> reads;
      try {
        reads = source->read();
      } catch (const std::exception&) {
        reads.clear();  // a source that throws is a failed read, like ok=false
      }
      for (size_t i = 0; i < count; ++i) {
        DomainCounter& counter = counters[first + i];
        if (reads.size() != count || !reads[i].ok) {
          failed = true;
          continue;
        }
        const CounterRead& read = reads[i];
        counter.joules_per_unit = read.joules_per_unit;
        counter.wraps_at = read.wraps_at;
        if (!counter.has_last) {
          counter.has_last = true;
          counter.last = read.value;
          counter.last_time = now;
          continue;
        }
        uint64_t delta = 0;
        if (counter_delta(counter.last, read, delta)) {
          counter.units += delta;
          if (read.wraps_at > 0) note_step(counter, delta, now);
          if (recording) record_locked(first + i, now);
        } else {
          failed = true;
        }
        counter.last = read.value;
        counter.last_time = now;
      }
      first += count;
    }
    ++samples;
    if (failed) ++missed;
  }

  std::vector<uint64_t> units_locked() const {
    std::vector<uint64_t> units(counters.size());
    for (size_t i = 0; i < counters.size(); ++i) units[i] = counters[i].units;
    return units;
  }

  std::vector<uint64_t> suspect_steps_locked() const {
    std::vector<uint64_t> steps(counters.size());
    for (size_t i = 0; i < counters.size(); ++i) steps[i] = counters[i].suspect_steps;
    return steps;
  }

  Measurement measure_locked(const std::string& name, const Window& window) const {
    Measurement m;
    m.name = name;
    m.seconds = std::chrono::duration<double>(Clock::now() - window.start).count();
    m.samples = samples - window.samples;
    m.missed_samples = missed - window.missed;
    for (size_t i = 0; i < counters.size(); ++i) {
      DomainEnergy d;
      d.info = infos[i];
      d.joules =
          static_cast<double>(counters[i].units - window.units[i]) * counters[i].joules_per_unit;
      d.watts = m.seconds > 0 ? d.joules / m.seconds : 0.0;
      d.idle_joules = idle_watts.empty() ? 0.0 : idle_watts[i] * m.seconds;
      d.net_joules = std::max(0.0, d.joules - d.idle_joules);
      if (d.info.kind == Kind::estimated) m.any_estimated = true;
      const DomainCounter& counter = counters[i];
      if (counter.suspect_steps > window.suspect_steps[i]) {
        d.wrap_may_be_missed = true;
        m.wrap_may_be_missed = true;
        const double range = static_cast<double>(counter.wraps_at) * counter.joules_per_unit;
        m.warnings.push_back(fmt::format(
            "{}: the counter advanced up to {:.0f}% of its {:.6g} J range between two reads, "
            "faster than {} said it could: a whole wrap ({:.6g} J more) may have gone unseen, so "
            "these joules may be too low; it is now read every {} ms",
            d.info.name, 100 * counter.largest_step, range, d.info.source, range,
            interval.count()));
      }
      // A subzone (core inside package) is already inside its parent's figure.
      if (!d.info.part_of_parent) {
        m.total_joules += d.joules;
        m.idle_joules += d.idle_joules;
        m.net_joules += d.net_joules;
      }
      m.domains.push_back(std::move(d));
    }
    m.carbon = carbon_for(m.total_joules, options.carbon);
    m.net_carbon = carbon_for(m.net_joules, options.carbon);
    return m;
  }

  // Ticks on a fixed schedule rather than "interval after the last read", so the time a read
  // takes does not stretch the period; a tick missed (a stalled machine) is skipped, not caught up.
  void run_sampler() {
    std::unique_lock lock(mutex);
    auto next = Clock::now() + interval;
    while (!stopping) {
      const auto planned = interval;
      if (wake.wait_until(lock, next, [&] { return stopping || interval < planned; })) {
        if (stopping) break;
        next = std::min(next, Clock::now() + interval);  // shortened while waiting
        continue;
      }
      sample_locked();
      next += interval;
      const auto now = Clock::now();
      if (next <= now) next = now + interval;
    }
  }
};

Monitor::Monitor(std::vector<std::unique_ptr<Source>> sources, MonitorOptions options)
    : state_(std::make_unique<State>()) {
  if (options.interval.count() <= 0) {
    throw InputError("sampling interval " + std::to_string(options.interval.count()) +
                     " ms: expected a positive number of milliseconds");
  }
  if (!std::isfinite(options.idle_seconds) || options.idle_seconds < 0) {
    throw InputError("idle baseline " + std::to_string(options.idle_seconds) +
                     " s: expected a number of seconds >= 0");
  }
  carbon_for(0, options.carbon);  // rejects a bad intensity or PUE before any work is measured

  State& s = *state_;
  s.options = options;
  s.interval = options.interval;
  for (auto& source : sources) {
    if (!source) continue;
    auto infos = source->domains();
    s.domain_counts.push_back(infos.size());
    for (auto& info : infos) s.infos.push_back(std::move(info));
    s.interval =
        std::min(s.interval, std::max(std::chrono::milliseconds(1), source->max_read_interval()));
    s.sources.push_back(std::move(source));
  }
  s.counters.resize(s.infos.size());
  {
    std::lock_guard lock(s.mutex);
    s.sample_locked();  // the first read only sets each counter's starting point
    s.samples = 0;
    s.missed = 0;
  }
  s.sampler = std::thread([&s] { s.run_sampler(); });

  if (options.idle_seconds > 0) {
    begin("idle baseline");
    std::this_thread::sleep_for(std::chrono::duration<double>(options.idle_seconds));
    Measurement idle = end("idle baseline");
    std::lock_guard lock(s.mutex);
    s.idle_watts.clear();
    for (const auto& d : idle.domains) s.idle_watts.push_back(d.watts);
  }
}

Monitor::~Monitor() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->sampler.joinable()) state_->sampler.join();
}

void Monitor::begin(const std::string& name) {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  if (s.windows.count(name)) {
    throw InputError("measurement window '" + name +
                     "' is already open: end it first or use another name");
  }
  s.sample_locked();
  Window window;
  window.units = s.units_locked();
  window.suspect_steps = s.suspect_steps_locked();
  window.samples = s.samples;
  window.missed = s.missed;
  window.start = Clock::now();
  s.windows.emplace(name, std::move(window));
}

namespace {

std::string open_window_names(const std::map<std::string, Window>& windows) {
  if (windows.empty()) return "none is open";
  std::string names;
  for (const auto& [name, window] : windows) names += (names.empty() ? "open: '" : "', '") + name;
  return names + "'";
}

}  // namespace

Measurement Monitor::end(const std::string& name) {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  auto it = s.windows.find(name);
  if (it == s.windows.end()) {
    throw InputError("no open measurement window named '" + name + "' (" +
                     open_window_names(s.windows) + ")");
  }
  s.sample_locked();
  Measurement m = s.measure_locked(name, it->second);
  s.windows.erase(it);
  return m;
}

Measurement Monitor::peek(const std::string& name) const {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  auto it = s.windows.find(name);
  if (it == s.windows.end()) {
    throw InputError("no open measurement window named '" + name + "' (" +
                     open_window_names(s.windows) + ")");
  }
  s.sample_locked();
  return s.measure_locked(name, it->second);
}

std::vector<DomainInfo> Monitor::domains() const {
  return state_->infos;
}

std::vector<double> Monitor::idle_watts() const {
  std::lock_guard lock(state_->mutex);
  return state_->idle_watts;
}

std::chrono::milliseconds Monitor::interval() const {
  std::lock_guard lock(state_->mutex);
  return state_->interval;
}

void Monitor::start_recording() {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  s.sample_locked();
  s.recording = true;
  s.recording_start = Clock::now();
  s.recorded.clear();
  s.recording_domains.assign(s.counters.size(), RecordingDomain{});
  for (size_t i = 0; i < s.counters.size(); ++i) {
    s.recording_domains[i].start_units = s.counters[i].units;
  }
}

std::vector<PowerSample> Monitor::stop_recording() {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  s.sample_locked();
  s.recording = false;
  std::vector<PowerSample> samples;
  samples.swap(s.recorded);
  return samples;
}

}  // namespace greentune::energy
