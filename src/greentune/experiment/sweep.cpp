#include "greentune/experiment/sweep.hpp"

#include <fmt/format.h>

#include <set>
#include <tuple>

#include "greentune/common/error.hpp"

namespace greentune::experiment {
namespace {

std::vector<std::string> choices(const std::vector<int>& values) {
  std::vector<std::string> out;
  for (int v : values) out.push_back(std::to_string(v));
  return out;
}

int integer_param(const tune::Params& params, const std::string& name) {
  auto it = params.find(name);
  if (it == params.end()) throw InputError("sweep trial has no parameter " + name);
  if (const auto* i = std::get_if<int64_t>(&it->second)) return static_cast<int>(*i);
  if (const auto* d = std::get_if<double>(&it->second)) return static_cast<int>(*d);
  try {
    return std::stoi(std::get<std::string>(it->second));
  } catch (const std::exception&) {
    throw InputError(fmt::format("sweep parameter {} = \"{}\": expected an integer", name,
                                 std::get<std::string>(it->second)));
  }
}

}  // namespace

std::vector<SweepCell> sweep_cells(const SweepConfig& config) {
  std::vector<SweepCell> cells;
  for (int rep = 0; rep < config.repetitions; ++rep)
    for (int conv : config.conv)
      for (int linear : config.linear)
        for (int relu : config.relu) cells.push_back({conv, linear, relu, rep});
  return cells;
}

tune::SearchSpace sweep_space(const SweepConfig& config) {
  tune::SearchSpace space;
  auto categorical = [](const std::string& name, std::vector<std::string> values) {
    tune::ParamSpec spec;
    spec.name = name;
    spec.type = tune::ParamType::categorical;
    spec.choices = std::move(values);
    return spec;
  };
  std::vector<int> reps;
  for (int rep = 0; rep < config.repetitions; ++rep) reps.push_back(rep);
  space.params = {categorical("conv", choices(config.conv)),
                  categorical("linear", choices(config.linear)),
                  categorical("relu", choices(config.relu)), categorical("rep", choices(reps))};
  return space;
}

tune::Params cell_params(const SweepCell& cell) {
  return {{"conv", std::to_string(cell.conv)},
          {"linear", std::to_string(cell.linear)},
          {"relu", std::to_string(cell.relu)},
          {"rep", std::to_string(cell.rep)}};
}

SweepCell cell_from_params(const tune::Params& params) {
  return {integer_param(params, "conv"), integer_param(params, "linear"),
          integer_param(params, "relu"), integer_param(params, "rep")};
}

std::string cell_model_spec(const std::string& model, const SweepCell& cell) {
  std::string family = model.substr(0, model.find(':'));
  if (family == "simplecnn")
    return fmt::format("simplecnn:conv={},linear={},relu={}", cell.conv, cell.linear, cell.relu);
  // The dense networks have no conv layers or ReLU: only the linear count applies.
  return fmt::format("{}:linear={}", family, cell.linear);
}

std::optional<tune::Params> SweepSampler::propose(const tune::SamplerContext& context) {
  std::set<std::tuple<int, int, int, int>> taken;
  for (const auto& trial : context.history) {
    if (trial.state == tune::TrialState::failed) continue;
    auto cell = cell_from_params(trial.params);
    taken.insert({cell.conv, cell.linear, cell.relu, cell.rep});
  }
  for (const auto& cell : cells_)
    if (!taken.count({cell.conv, cell.linear, cell.relu, cell.rep})) return cell_params(cell);
  return std::nullopt;
}

}  // namespace greentune::experiment
