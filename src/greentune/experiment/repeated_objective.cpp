#include "greentune/experiment/repeated_objective.hpp"

#include <string>
#include <vector>

#include "greentune/measured/trial_window.hpp"
#include "greentune/nn/train_objective.hpp"
#include "greentune/report/stats.hpp"

namespace greentune::experiment {

tune::Objective repeated_objective(std::shared_ptr<const data::Split> split,
                                   energy::Monitor* monitor, int repetitions,
                                   OptionsFor options_for) {
  return [split, monitor, repetitions, options_for](const tune::Params& params,
                                                    tune::TrialContext& context) {
    measured::TrialWindow window(monitor, context, "trial-" + std::to_string(context.number()));
    std::vector<double> values, tests;
    std::vector<tune::TrainingFigures> runs;
    tune::ObjectiveResult result;
    tune::TrainingFigures training;
    int diverged = 0;
    for (int rep = 0; rep < repetitions; ++rep) {
      nn::TrainOptions options = options_for(params, rep);
      tune::IntermediateReport last;
      bool pruned = false;  // the first run's curve is the trial's: the pruner judges it
      auto trained = nn::train(options, *split, monitor, [&](const nn::EpochRecord& epoch) {
        if (rep == 0) {
          last = nn::epoch_report(epoch, last);
          context.report(last);
          pruned = context.should_prune();
        }
        return !pruned;
      });
      if (pruned && !trained.diverged) {
        result.state = tune::TrialState::pruned;
        result.seconds += trained.seconds;
        result.joules += nn::add_run_energy(trained, result.energy);
        training.model_spec = trained.model_spec;
        training.parameter_count = trained.parameter_count;
        result.training = std::move(training);
        window.close();
        return result;
      }
      if (trained.diverged) {
        ++diverged;
        if (result.error.empty()) result.error = trained.diverged_reason;
      }
      tune::Repetition run;
      run.seed = options.hp.seed;
      run.value = trained.best_validation_accuracy;
      run.seconds = trained.seconds;
      run.joules = nn::add_run_energy(trained, result.energy);
      run.diverged = trained.diverged;
      runs.push_back(nn::training_figures(trained));
      run.test_accuracy = runs.back().test_accuracy;
      training.repetitions.push_back(run);
      values.push_back(trained.best_validation_accuracy);
      if (run.test_accuracy) tests.push_back(*run.test_accuracy);
      result.seconds += trained.seconds;
      result.joules += run.joules;
    }
    window.close();
    // A round whose every run diverged has no value; otherwise diverged runs count with what
    // they reached, as the paper's mean of 8 did.
    if (diverged == repetitions) {
      result.state = tune::TrialState::diverged;
    } else {
      result.values = {report::mean(values)};
      result.error.clear();
    }
    training.model_spec = runs.front().model_spec;
    training.parameter_count = runs.front().parameter_count;
    if (!tests.empty()) training.test_accuracy = report::mean(tests);
    for (const auto& run : runs)
      for (const auto& [type, joules] : run.layer_joules)
        training.layer_joules[type] += joules / static_cast<double>(runs.size());
    if (repetitions == 1) training.repetitions.clear();
    result.training = std::move(training);
    return result;
  };
}

}  // namespace greentune::experiment
