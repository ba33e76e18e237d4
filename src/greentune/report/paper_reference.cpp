#include "greentune/report/paper_reference.hpp"

namespace greentune::report {

const std::vector<PaperOptimumRound>& paper_optimum_rounds() {
  // The paper rounds BO's 26.5 to "27" in the text; the table's average is kept here.
  static const std::vector<PaperOptimumRound> rounds = {
      {"bayes", 26.5}, {"random", 38.8}, {"grid", 36.2}};
  return rounds;
}

const std::vector<PaperLayerEffect>& paper_layer_effects() {
  // The paper reports one eta-squared for conv (0.749) on both datasets.
  static const std::vector<PaperLayerEffect> effects = {
      {"conv", "1 -> 4", 95.3, 66.4, 0.749, 0.749},
      {"linear", "3 -> 7", 4.9, 6.6, 0.155, 0.160},
      {"relu", "off -> on", 2.7, 2.9, 0.055, 0.033},
  };
  return effects;
}

const std::vector<PaperConvComparison>& paper_conv_comparison() {
  static const std::vector<PaperConvComparison> rows = {
      {"fashion-mnist", 1674, 857, 0.872, 0.864, 0.889, 0.887},
      {"cifar10", 4588, 2758, 0.639, 0.572, 0.725, 0.609},
  };
  return rows;
}

const PaperOptimumRound* find_paper_optimum_round(const std::string& strategy) {
  for (const auto& row : paper_optimum_rounds())
    if (row.strategy == strategy) return &row;
  return nullptr;
}

const PaperLayerEffect* find_paper_layer_effect(const std::string& factor) {
  for (const auto& row : paper_layer_effects())
    if (row.factor == factor) return &row;
  return nullptr;
}

}  // namespace greentune::report
