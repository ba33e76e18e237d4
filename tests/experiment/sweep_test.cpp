#include "greentune/experiment/sweep.hpp"

#include <gtest/gtest.h>

#include "greentune/common/error.hpp"

namespace greentune::experiment {
namespace {

tune::Trial trial_at(const SweepCell& cell, tune::TrialState state) {
  tune::Trial trial;
  trial.params = cell_params(cell);
  trial.state = state;
  return trial;
}

TEST(Sweep, CellsCoverTheGridWithRepetitions) {
  SweepConfig config;
  config.conv = {1, 4};
  config.linear = {3, 7};
  config.relu = {0, 1};
  config.repetitions = 3;
  auto cells = sweep_cells(config);
  ASSERT_EQ(cells.size(), 2u * 2u * 2u * 3u);
  EXPECT_EQ(cells.front().conv, 1);
  EXPECT_EQ(cells.back().conv, 4);
  EXPECT_EQ(cells.back().linear, 7);
  EXPECT_EQ(cells.back().relu, 1);
  EXPECT_EQ(cells.back().rep, 2);
  // Interleaved: repetition k of all eight configurations before repetition k + 1 of any.
  for (size_t i = 0; i < cells.size(); ++i) EXPECT_EQ(cells[i].rep, static_cast<int>(i / 8)) << i;
  EXPECT_EQ(cells[8].conv, 1);
  EXPECT_EQ(cells[8].linear, 3);
  EXPECT_EQ(cells[8].relu, 0);
  auto space = sweep_space(config);
  ASSERT_EQ(space.params.size(), 4u);
  EXPECT_EQ(space.params[0].choices, (std::vector<std::string>{"1", "4"}));
  EXPECT_EQ(space.params[3].choices, (std::vector<std::string>{"0", "1", "2"}));
}

TEST(Sweep, ParamsRoundTripAndModelSpec) {
  SweepCell cell{3, 5, 0, 1};
  auto back = cell_from_params(cell_params(cell));
  EXPECT_EQ(back.conv, 3);
  EXPECT_EQ(back.linear, 5);
  EXPECT_EQ(back.relu, 0);
  EXPECT_EQ(back.rep, 1);
  EXPECT_EQ(cell_model_spec("simplecnn", cell), "simplecnn:conv=3,linear=5,relu=0");
  EXPECT_EQ(cell_model_spec("densepoly", cell), "densepoly:linear=5");
  EXPECT_THROW(cell_from_params({{"conv", std::string("x")}}), InputError);
}

TEST(Sweep, SamplerSkipsFinishedCellsAndRetriesFailedOnes) {
  SweepConfig config;
  config.conv = {1, 2};
  config.linear = {3};
  config.relu = {1};
  auto cells = sweep_cells(config);
  SweepSampler sampler(cells);
  tune::SearchSpace space = sweep_space(config);
  std::vector<tune::Trial> history;
  tune::SamplerContext context{space, history};
  auto first = sampler.propose(context);
  ASSERT_TRUE(first);
  EXPECT_EQ(cell_from_params(*first).conv, 1);

  history.push_back(trial_at(cells[0], tune::TrialState::failed));  // killed: proposed again
  EXPECT_EQ(cell_from_params(*sampler.propose(context)).conv, 1);
  history.push_back(trial_at(cells[0], tune::TrialState::complete));
  EXPECT_EQ(cell_from_params(*sampler.propose(context)).conv, 2);
  history.push_back(trial_at(cells[1], tune::TrialState::running));  // another worker has it
  EXPECT_FALSE(sampler.propose(context));
}

}  // namespace
}  // namespace greentune::experiment
