#pragma once
// The `train` objective of a study: each trial trains one network with the trial's
// hyperparameters on data loaded once per study, reports its metrics per epoch, and returns them
// (by default the best validation accuracy; with `metrics`, any of accuracy, joules, seconds and
// parameters, in that list's order) with the training windows' joules per domain.
// No LibTorch here: it calls nn::train.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "greentune/data/load.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/measured/trial_window.hpp"
#include "greentune/nn/trainer.hpp"
#include "greentune/tune/objective.hpp"
#include "greentune/tune/space.hpp"

namespace greentune::nn {

// The [train] table of a study config.
struct TrainObjectiveSettings {
  std::string dataset = "fashion-mnist";
  std::string data_dir;     // "" : the usual places (see data/load.hpp)
  double validation = 0.1;  // fraction of the training set held out for validation
  bool paper_mode = false;  // validate on the test set, as the paper did
  int64_t subset = 0;       // > 0: a seeded subset of the training set
  int64_t test_subset = 0;  // > 0: a seeded subset of the test set
  TrainOptions train;       // model spec, device, threads and hyperparameter defaults
  // The objective's values, in order (tune/metrics.hpp: accuracy, joules, seconds, parameters).
  std::vector<std::string> metrics = {"accuracy"};

  // How to load the data these settings name (the seed is the hyperparameter defaults' seed).
  data::LoadOptions load_options() const;
};

// `source` names the config in messages; InputError names the key ("train.epochs") on a bad or
// unknown one.
TrainObjectiveSettings parse_train_settings(const nlohmann::json& table, const std::string& source);

// The hyperparameters the space may name (lr, beta1, beta2, eps, weight_decay, momentum,
// batch_size, epochs, optimizer, and gpu_power_limit_w, which is set around the trial rather than
// by the trainer). InputError naming any other parameter of `space`.
void check_train_space(const tune::SearchSpace& space, const std::string& source);
// Settings' defaults overridden by the trial's parameters.
Hyperparameters hyperparameters_for(const Hyperparameters& defaults, const tune::Params& params);

// How a training run enters its trial record (the train objective here, experiments and sweeps).
// The report after `epoch`: its validation accuracy, and the run's time and joules up to its end,
// cumulative from `previous` (the report of the epoch before, or a default one for the first).
tune::IntermediateReport epoch_report(const EpochRecord& epoch,
                                      const tune::IntermediateReport& previous);
// Adds the run's energy per domain over its epochs' training and evaluation windows to `energy`;
// returns their total joules.
double add_run_energy(const TrainResult& trained, std::vector<tune::DomainEnergy>& energy);
// Model, parameter count, test accuracy and attributed joules per layer type of one run.
tune::TrainingFigures training_figures(const TrainResult& trained);

// The report after `epoch` with one value per metric: validation accuracy, joules and seconds
// so far, and the parameter count (NaN while unknown).
tune::IntermediateReport metrics_report(const tune::IntermediateReport& report,
                                        const EpochRecord& epoch,
                                        const std::vector<std::string>& metrics);

// Loads the data now (once for the whole study); monitor may be nullptr (no energy), unless a
// metric is joules (InputError: greentune's measurement is that metric).
//
// Early stopping: after each epoch's report the objective asks context.should_prune(); when told
// to stop it ends training there (no further epoch, no test-set evaluation) and returns state
// `pruned` with no value, the time and joules it used and its training figures.
tune::Objective make_train_objective(const TrainObjectiveSettings& settings,
                                     const tune::SearchSpace& space, energy::Monitor* monitor);
// The same on data already loaded (`settings`' data keys are then not read).
tune::Objective make_train_objective(const TrainObjectiveSettings& settings,
                                     std::shared_ptr<const data::Split> split,
                                     energy::Monitor* monitor);

}  // namespace greentune::nn
