#pragma once
// An architecture sweep (the paper's RQ2): every combination of conv layers, linear layers and
// ReLU on/off, each trained `repetitions` times, stored as the trials of one study with strategy
// "sweep" and parameters conv/linear/relu/rep. Finished cells are skipped on a rerun.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/sampler.hpp"
#include "greentune/tune/space.hpp"

namespace greentune::experiment {

struct SweepConfig {
  std::string model = "simplecnn";
  std::vector<int> conv = {1, 2, 3, 4};
  std::vector<int> linear = {3, 4, 5, 6, 7};
  std::vector<int> relu = {0, 1};
  int repetitions = 1;
  nlohmann::json train = nlohmann::json::object();  // [train] with [sweep.train] on top
};

struct SweepCell {
  int conv = 0, linear = 0, relu = 0, rep = 0;
};

// Repetition k of every configuration before repetition k + 1 of any, so the repetitions of a
// configuration spread over the whole sweep rather than running back to back.
std::vector<SweepCell> sweep_cells(const SweepConfig& config);
// The space stored with the study: the lists as categorical choices, so a changed grid is refused.
tune::SearchSpace sweep_space(const SweepConfig& config);
tune::Params cell_params(const SweepCell& cell);
SweepCell cell_from_params(const tune::Params& params);
// "simplecnn:conv=2,linear=3,relu=1" (the model's family with the cell's counts).
std::string cell_model_spec(const std::string& model, const SweepCell& cell);

// Proposes the first cell with no complete, diverged, pruned or running trial; failed cells are
// proposed again. Stateless like every sampler: it reads the history.
class SweepSampler : public tune::Sampler {
 public:
  explicit SweepSampler(std::vector<SweepCell> cells) : cells_(std::move(cells)) {}
  std::string name() const override { return "sweep"; }
  std::optional<tune::Params> propose(const tune::SamplerContext& context) override;

 private:
  std::vector<SweepCell> cells_;
};

}  // namespace greentune::experiment
