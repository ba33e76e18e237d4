// Works on one pruned study of a SQLite store like a `greentune tune` process would, so tests can
// run several at once (or kill one mid-rung) and check that the pruner decides from the store.
//
//   prune_worker DB STUDY ROUNDS TRIALS QUALITY STEPS STEP_MS MARKER
//
// The study prunes with ASHA (min_step 1, max_step STEPS, reduction 3) and maximises. Trial n
// reports, at each step, 1 + 0.001 n when QUALITY is "good" and -0.001 n when it is "bad" (so a
// good worker's trials beat every earlier trial and a bad worker's trials lose to every earlier
// one), and 1 J per step. After each report it appends "report <number> <step>" to MARKER, asks
// should_prune() and stops if told to, else sleeps STEP_MS. It runs at most TRIALS trials.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "greentune/store/open_storage.hpp"
#include "greentune/tune/asha_pruner.hpp"
#include "greentune/tune/study.hpp"

using namespace greentune;

namespace {

// x = 0, 1, 2, ...: the first point no live trial has.
class NextPointSampler final : public tune::Sampler {
 public:
  std::string name() const override { return "next"; }
  std::optional<tune::Params> propose(const tune::SamplerContext& context) override {
    std::set<int64_t> taken;
    for (const auto& t : context.history) taken.insert(std::get<int64_t>(t.params.at("x")));
    for (int64_t x = 0; x < 1000; ++x)
      if (!taken.count(x)) return tune::Params{{"x", x}};
    return std::nullopt;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(stderr,
                 "usage: prune_worker DB STUDY ROUNDS TRIALS good|bad STEPS STEP_MS MARKER\n");
    return 2;
  }
  const std::string db = argv[1];
  const int trials = std::atoi(argv[4]);
  const bool good = std::string(argv[5]) == "good";
  const int steps = std::atoi(argv[6]);
  const int step_ms = std::atoi(argv[7]);
  const std::string marker = argv[8];
  try {
    auto storage = store::open_storage("sqlite:" + db);
    tune::StudyOptions options;
    options.name = argv[2];
    options.rounds = std::atoi(argv[3]);
    options.objective = "curves";
    options.strategy = "next";
    options.direction = tune::Direction::maximize;
    options.heartbeat_seconds = 0.2;
    options.stale_seconds = 30;
    options.space.params.push_back({"x", tune::ParamType::integer, 0, 999, false, 1, {}});
    options.pruner = std::make_shared<tune::AshaPruner>(1, steps, 3);
    tune::Study study(*storage, options, std::make_unique<NextPointSampler>());
    study.optimize(
        [&](const tune::Params&, tune::TrialContext& context) {
          const double n = context.number();
          const double value = good ? 1 + 0.001 * n : -0.001 * n;
          tune::ObjectiveResult result;
          for (int step = 1; step <= steps; ++step) {
            context.report({step, {value}, std::numeric_limits<double>::quiet_NaN(), 1.0 * step});
            result.joules = step;
            std::ofstream(marker, std::ios::app)
                << "report " << context.number() << " " << step << "\n";
            if (context.should_prune()) {
              result.state = tune::TrialState::pruned;
              return result;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
          }
          result.values = {value};
          return result;
        },
        trials);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prune_worker: %s\n", e.what());
    return 1;
  }
  return 0;
}
