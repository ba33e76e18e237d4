#include "greentune/nn/optimizer.hpp"

#include <ATen/ATen.h>
#include <torch/torch.h>

#include <cmath>
#include <map>

namespace greentune::nn {

MultiTensorAdam::MultiTensorAdam(std::vector<torch::Tensor> parameters,
                                 torch::optim::AdamOptions options)
    : torch::optim::Adam(std::move(parameters), options) {
  TORCH_CHECK(!options.amsgrad(), "MultiTensorAdam does not implement amsgrad");
}

torch::Tensor MultiTensorAdam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  moments_.resize(param_groups().size());
  for (size_t g = 0; g < param_groups().size(); ++g) {
    auto& group = param_groups()[g];
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    auto& moments = moments_[g];
    moments.resize(group.params().size());
    // Parameters are stepped together when they have taken the same number of steps (all of
    // them, unless some had no gradient in some step): the bias corrections depend on it.
    std::map<int64_t, std::vector<size_t>> by_step;
    for (size_t i = 0; i < group.params().size(); ++i) {
      const auto& p = group.params()[i];
      if (!p.grad().defined()) continue;
      auto& m = moments[i];
      if (!m.exp_avg.defined()) {
        m.exp_avg = torch::zeros_like(p, torch::MemoryFormat::Preserve);
        m.exp_avg_sq = torch::zeros_like(p, torch::MemoryFormat::Preserve);
      }
      by_step[++m.step].push_back(i);
    }
    const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
    for (const auto& [step, indices] : by_step) {
      std::vector<torch::Tensor> params, grads, exp_avgs, exp_avg_sqs;
      for (size_t i : indices) {
        params.push_back(group.params()[i]);
        grads.push_back(group.params()[i].grad());
        exp_avgs.push_back(moments[i].exp_avg);
        exp_avg_sqs.push_back(moments[i].exp_avg_sq);
      }
      const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(step));
      const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(step));
      if (options.weight_decay() != 0) {
        grads = at::_foreach_add(grads, params, options.weight_decay());
      }
      at::_foreach_mul_(exp_avgs, beta1);
      at::_foreach_add_(exp_avgs, grads, 1 - beta1);
      at::_foreach_mul_(exp_avg_sqs, beta2);
      at::_foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2);
      auto denominators = at::_foreach_sqrt(exp_avg_sqs);
      at::_foreach_div_(denominators, std::sqrt(bias_correction2));
      at::_foreach_add_(denominators, options.eps());
      at::_foreach_addcdiv_(params, exp_avgs, denominators, -options.lr() / bias_correction1);
    }
  }
  return loss;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Hyperparameters& hp,
                                                        std::vector<torch::Tensor> parameters,
                                                        bool cuda) {
  validate(hp);
  if (hp.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        std::move(parameters),
        torch::optim::SGDOptions(hp.lr).momentum(hp.momentum).weight_decay(hp.weight_decay));
  }
  const auto options = torch::optim::AdamOptions(hp.lr)
                           .betas({hp.beta1, hp.beta2})
                           .eps(hp.eps)
                           .weight_decay(hp.weight_decay);
  if (cuda) return std::make_unique<MultiTensorAdam>(std::move(parameters), options);
  return std::make_unique<torch::optim::Adam>(std::move(parameters), options);
}

void clear_gradients(const std::vector<torch::Tensor>& parameters) {
  for (auto p : parameters) p.mutable_grad().reset();
}

}  // namespace greentune::nn
