// Works on one study of a SQLite store like a `greentune tune` process would, with a sampler
// that walks a fixed list of points (first one not taken by a live trial), so tests can check
// that concurrent or killed workers never take a point twice.
//
//   store_worker DB STUDY ROUNDS POINTS SLEEP_MS HEARTBEAT_S STALE_S [MARKER_FILE]
//
// Each trial reports {step 1, value x, joules 0.25 x + 1} at once, then appends
// "start <number> <x>" to MARKER_FILE and sleeps SLEEP_MS.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <thread>

#include "greentune/store/open_storage.hpp"
#include "greentune/tune/study.hpp"

using namespace greentune;

namespace {

class ListSampler final : public tune::Sampler {
 public:
  explicit ListSampler(int points) : points_(points) {}
  std::string name() const override { return "list"; }
  std::optional<tune::Params> propose(const tune::SamplerContext& context) override {
    for (int64_t x = 0; x < points_; ++x) {
      bool taken = false;
      for (const auto& t : context.history) {
        if (std::get<int64_t>(t.params.at("x")) == x) taken = true;
      }
      if (!taken) return tune::Params{{"x", x}};
    }
    return std::nullopt;
  }

 private:
  int points_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr,
                 "usage: store_worker DB STUDY ROUNDS POINTS SLEEP_MS HEARTBEAT STALE [MARKER]\n");
    return 2;
  }
  std::string db = argv[1];
  int points = std::atoi(argv[4]);
  int sleep_ms = std::atoi(argv[5]);
  std::string marker = argc > 8 ? argv[8] : "";
  try {
    auto storage = store::open_storage("sqlite:" + db);
    tune::StudyOptions options;
    options.name = argv[2];
    options.rounds = std::atoi(argv[3]);
    options.objective = "square";
    options.strategy = "list";
    options.heartbeat_seconds = std::atof(argv[6]);
    options.stale_seconds = std::atof(argv[7]);
    options.space.params.push_back(
        {"x", tune::ParamType::integer, 0, static_cast<double>(points - 1), false, 1, {}});
    tune::Study study(*storage, options, std::make_unique<ListSampler>(points));
    tune::SignalGuard guard([&study](int) { study.fail_open_trials("interrupted"); });
    study.optimize(
        [&](const tune::Params& params, tune::TrialContext& context) {
          int64_t x = std::get<int64_t>(params.at("x"));
          double unknown = std::numeric_limits<double>::quiet_NaN();
          context.report({1, {static_cast<double>(x)}, unknown, 0.25 * static_cast<double>(x) + 1});
          if (!marker.empty()) {
            std::ofstream(marker, std::ios::app)
                << "start " << context.number() << " " << x << "\n";
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
          tune::ObjectiveResult result;
          result.values = {static_cast<double>(x * x)};
          return result;
        },
        1000000);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_worker: %s\n", e.what());
    return 1;
  }
  return 0;
}
