#pragma once
// The optimiser a TrainOptions names, with every hyperparameter passed through (the paper's code
// silently dropped beta2; tests read each one back from the optimiser's options).
#include <torch/optim/adam.h>
#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

#include "greentune/nn/trainer.hpp"

namespace greentune::nn {

// Adam with each step's arithmetic done as multi-tensor (_foreach_) ops over all parameters, as
// PyTorch's own Adam does by default on CUDA: about eight kernel launches per step instead of
// eight per parameter, which is what a small network's GPU step is made of. The same arithmetic,
// in the same order, as torch::optim::Adam (equal results on the CPU, tested); amsgrad is not
// offered. Keeps its own moments, so the base class's state and serialisation are not used.
class MultiTensorAdam : public torch::optim::Adam {
 public:
  MultiTensorAdam(std::vector<torch::Tensor> parameters, torch::optim::AdamOptions options);
  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  struct Moments {
    int64_t step = 0;
    torch::Tensor exp_avg, exp_avg_sq;
  };
  std::vector<std::vector<Moments>> moments_;  // [group][parameter]
};

// Adam on CUDA is a MultiTensorAdam.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Hyperparameters& hp,
                                                        std::vector<torch::Tensor> parameters,
                                                        bool cuda = false);

// Gradients dropped rather than zeroed (what PyTorch's zero_grad does by default since 2.0): the
// next backward writes them afresh, without a fill and an add per parameter.
void clear_gradients(const std::vector<torch::Tensor>& parameters);

}  // namespace greentune::nn
