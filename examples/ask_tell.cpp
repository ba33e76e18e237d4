// Embedding greentune's tuner in your own program: a study over any C++ callable, driven either
// by optimize(objective, n) or by hand with ask/tell (e.g. when the training loop is yours).
//
//   example_ask_tell [STORE.db]      (default: ask_tell.db in the current directory)
#include <cmath>
#include <cstdio>
#include <string>

#include "greentune/store/open_storage.hpp"
#include "greentune/tune/samplers.hpp"
#include "greentune/tune/study.hpp"

using namespace greentune;

// The function being tuned: best at lr ~ 3e-3 with the wide variant.
double loss_of(const tune::Params& params) {
  double lr = tune::as_double(params, "lr");
  double penalty = std::get<std::string>(params.at("width")) == "wide" ? 0.0 : 0.5;
  return std::pow(std::log10(lr) + 2.5, 2) + penalty;
}

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "ask_tell.db";
  try {
    auto storage = store::open_storage("sqlite:" + path);

    // The space: a log-scaled learning rate and a categorical width.
    tune::StudyOptions options;
    options.name = "quadratic";
    options.objective = "user-lambda";
    options.direction = tune::Direction::minimize;
    options.rounds = 20;  // re-running the program continues the study up to 20 rounds
    options.seed = 7;
    options.space.params.push_back({"lr", tune::ParamType::real, 1e-4, 1e-1, true, 0, {}});
    options.space.params.push_back(
        {"width", tune::ParamType::categorical, 0, 1, false, 0, {"narrow", "wide"}});
    tune::Study study(*storage, options, tune::make_sampler("bayes", {}));

    // 1. optimize(): the study asks, runs the lambda, tells. Intermediate values go to storage.
    auto objective = [](const tune::Params& params, tune::TrialContext& context) {
      double loss = loss_of(params);
      context.report(1, loss);
      tune::ObjectiveResult result;
      result.values = {loss};
      return result;
    };
    study.optimize(objective, 12, [](const tune::Progress& p) {
      std::printf("round %d/%d value %.4f best %.4f\n", p.round, p.rounds,
                  p.trial->value().value_or(NAN), p.best.value_or(NAN));
    });

    // 2. ask/tell: your loop, your timing; the study only proposes and records.
    while (auto trial = study.ask()) {
      tune::ObjectiveResult result;
      result.values = {loss_of(trial->params)};
      result.seconds = 0.01;
      study.tell(*trial, result);
      std::printf("asked trial %d: lr %.5f -> %.4f\n", trial->number,
                  tune::as_double(trial->params, "lr"), result.values.front());
    }

    if (auto best = study.best_trial()) {
      std::printf("best: trial %d, value %.4f, lr %.5f\n", best->number, *best->value(),
                  tune::as_double(best->params, "lr"));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "example_ask_tell: %s\n", e.what());
    return 1;
  }
  return 0;
}
