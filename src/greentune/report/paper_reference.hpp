#pragma once
// The published figures the report sets our results beside. Copied as data (never read from the
// replication package at run time) from Yarally, Cruz, Feitosa, Sallou, van Deursen, "Uncovering
// Energy-Efficient Practices in Deep Learning Training: Preliminary Steps Towards a Green AI",
// CAIN 2023 (arXiv 2303.13972), Tables III-V and Section IV, and its replication package
// github.com/yarally/preliminary-green-ai. Energy there is GPU-only (one GTX 1080, nvidia-smi).
#include <optional>
#include <string>
#include <vector>

namespace greentune::report {

inline constexpr const char* kPaperCitation =
    "Yarally et al., CAIN 2023 (arXiv 2303.13972), Tables III-V; GPU energy on one GTX 1080";

// Table III: the round at which each strategy reached its optimum, averaged over the networks,
// datasets and 3/5-hyperparameter set-ups.
struct PaperOptimumRound {
  std::string strategy;  // as greentune names strategies: bayes | random | grid
  double mean_round = 0;
};
const std::vector<PaperOptimumRound>& paper_optimum_rounds();

// RQ2: energy increase and Kruskal-Wallis eta-squared per layer-type factor, per dataset.
struct PaperLayerEffect {
  std::string factor;      // conv | linear | relu, as in sweep parameters
  std::string change;      // "1 -> 4", "3 -> 7", "off -> on"
  double percent_fm = 0;   // FashionMNIST
  double percent_c10 = 0;  // CIFAR-10
  double eta_squared_fm = 0;
  double eta_squared_c10 = 0;
};
const std::vector<PaperLayerEffect>& paper_layer_effects();

// Table V: 4 conv layers against 1 (mean joules per training run and accuracies).
struct PaperConvComparison {
  std::string dataset;
  double joules_conv4 = 0, joules_conv1 = 0;
  double mean_accuracy_conv4 = 0, mean_accuracy_conv1 = 0;
  double max_accuracy_conv4 = 0, max_accuracy_conv1 = 0;
};
const std::vector<PaperConvComparison>& paper_conv_comparison();

const PaperOptimumRound* find_paper_optimum_round(const std::string& strategy);
const PaperLayerEffect* find_paper_layer_effect(const std::string& factor);

}  // namespace greentune::report
