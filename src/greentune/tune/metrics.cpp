#include "greentune/tune/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace greentune::tune {

const std::vector<std::string>& train_metrics() {
  static const std::vector<std::string> names = {"accuracy", "joules", "seconds", "parameters"};
  return names;
}

std::vector<std::string> default_metrics(const std::string& objective) {
  if (objective == "train") return {"accuracy"};
  if (objective == "zdt1" || objective == "zdt2" || objective == "dtlz2") return {"f1", "f2"};
  return {"value"};
}

Direction natural_direction(const std::string& metric) {
  return metric == "accuracy" ? Direction::maximize : Direction::minimize;
}

Direction command_direction(const std::string& metric) {
  const bool cost = metric == "joules" || metric == "seconds" ||
                    metric.find("loss") != std::string::npos ||
                    metric.find("error") != std::string::npos;
  return cost ? Direction::minimize : Direction::maximize;
}

ValueScale metric_scale(const std::string& metric) {
  return metric == "joules" || metric == "seconds" || metric == "parameters" ? ValueScale::log
                                                                             : ValueScale::linear;
}

std::optional<double> metric_value(const Trial& trial, const std::string& metric,
                                   const std::vector<std::string>& metrics) {
  if (trial.state != TrialState::complete) return std::nullopt;
  auto finite = [](double v) { return std::isfinite(v) ? std::optional<double>(v) : std::nullopt; };
  const auto it = std::find(metrics.begin(), metrics.end(), metric);
  if (it != metrics.end()) {
    const auto i = static_cast<size_t>(it - metrics.begin());
    return i < trial.values.size() ? finite(trial.values[i]) : std::nullopt;
  }
  if (metric == "joules") return finite(trial.joules);
  if (metric == "seconds") return finite(trial.seconds);
  if (!trial.training) return std::nullopt;
  if (metric == "accuracy" && trial.training->validation_accuracy)
    return finite(*trial.training->validation_accuracy);
  if (metric == "parameters" && trial.training->parameter_count)
    return static_cast<double>(*trial.training->parameter_count);
  return std::nullopt;
}

}  // namespace greentune::tune
