#pragma once
// The objective of an experiment's rounds and sweep cells: train `repetitions` times, store the
// mean as the round's value, every run's figures as the trial's repetitions, and the energy of all
// runs (what the round cost). The first run's epochs are the trial's intermediate reports.
#include <functional>
#include <memory>

#include "greentune/data/load.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/nn/trainer.hpp"
#include "greentune/tune/objective.hpp"

namespace greentune::experiment {

// What to train for the trial's parameters in repetition `repetition` (0-based), seed included.
using OptionsFor = std::function<nn::TrainOptions(const tune::Params& params, int repetition)>;

// `monitor` may be nullptr (no energy). The conditions of the run are not filled in here: the
// experiment wraps the objective in measured::with_conditions like every other objective.
tune::Objective repeated_objective(std::shared_ptr<const data::Split> split,
                                   energy::Monitor* monitor, int repetitions,
                                   OptionsFor options_for);

}  // namespace greentune::experiment
