#pragma once
// The optimiser a TrainOptions names, with every hyperparameter passed through (the paper's code
// silently dropped beta2; tests read each one back from the optimiser's options).
#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

#include "greentune/nn/trainer.hpp"

namespace greentune::nn {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Hyperparameters& hp,
                                                        std::vector<torch::Tensor> parameters);

}  // namespace greentune::nn
