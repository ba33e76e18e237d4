#include "report/memory_storage.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "greentune/common/error.hpp"

namespace greentune::report::testing {

tune::StudyInfo MemoryStorage::create_or_open_study(const tune::StudyInfo& wanted) {
  for (const auto& study : studies_)
    if (study.name == wanted.name) {
      if (study.space_json != wanted.space_json)
        throw InputError("study " + wanted.name + ": the space changed");
      return study;
    }
  tune::StudyInfo created = wanted;
  created.id = static_cast<int64_t>(studies_.size()) + 1;
  studies_.push_back(created);
  trials_[created.id];
  return created;
}

std::optional<tune::StudyInfo> MemoryStorage::find_study(const std::string& name) {
  for (const auto& study : studies_)
    if (study.name == name) return study;
  return std::nullopt;
}

std::vector<tune::StudyInfo> MemoryStorage::studies() {
  return studies_;
}

std::vector<tune::Trial> MemoryStorage::trials(int64_t study_id) {
  auto it = trials_.find(study_id);
  if (it == trials_.end()) throw StoreError("no study with id " + std::to_string(study_id));
  return it->second;
}

std::optional<tune::Trial> MemoryStorage::claim_trial(int64_t study_id,
                                                      const tune::TrialOwner& owner,
                                                      const tune::ProposeFn& propose) {
  auto& list = trials_.at(study_id);
  auto params = propose(list);
  if (!params) return std::nullopt;
  tune::Trial trial;
  trial.id = next_trial_id_++;
  trial.number = static_cast<int>(list.size()) + 1;
  trial.params = *params;
  trial.host = owner.host;
  trial.pid = owner.pid;
  list.push_back(trial);
  return trial;
}

tune::Trial& MemoryStorage::find_trial(int64_t trial_id) {
  for (auto& [id, list] : trials_)
    for (auto& trial : list)
      if (trial.id == trial_id) return trial;
  throw StoreError("no trial with id " + std::to_string(trial_id));
}

void MemoryStorage::heartbeat(int64_t trial_id) {
  find_trial(trial_id).heartbeat_at += 1;
}

void MemoryStorage::report_intermediate(int64_t trial_id, const tune::IntermediateReport& report) {
  find_trial(trial_id).intermediate.push_back(report);
}

void MemoryStorage::finish_trial(int64_t trial_id, const tune::Trial& result) {
  auto& trial = find_trial(trial_id);
  if (trial.state != tune::TrialState::running)
    throw StoreError("trial " + std::to_string(trial_id) + " is not running");
  trial.state = result.state;
  trial.values = result.values;
  trial.seconds = result.seconds;
  trial.joules = result.joules;
  trial.energy = result.energy;
  trial.error = result.error;
  trial.retry = result.retry;
  trial.training = result.training;
  trial.attributes = result.attributes;
  for (const auto& report : result.intermediate) trial.intermediate.push_back(report);
  trial.finished_at = 1;
}

std::vector<tune::Trial> MemoryStorage::fail_stale_trials(int64_t, double) {
  return {};
}

namespace {

// A training run's record as the train objective writes it: one report per epoch with the
// cumulative time and joules, and the joules attributed to each layer type.
tune::Trial finished(const ExampleStore& example, double value, double joules, int conv, int linear,
                     bool relu) {
  tune::Trial result;
  result.state = tune::TrialState::complete;
  result.values = {value};
  result.seconds = joules / 20;
  result.joules = joules;
  const std::string& kind = example.energy_kind;
  const char* source = kind == "estimated" ? "estimate" : "powercap";
  result.energy = {{"package-0", kind, source, joules * 0.8},
                   {"dram-0", kind, source, joules * 0.2}};
  const int epochs = 2;
  if (example.with_epochs)
    for (int e = 1; e <= epochs; ++e)
      result.intermediate.push_back(
          {e, {value - 0.01 * (epochs - e)}, result.seconds * e / epochs, joules * e / epochs});
  result.training = tune::TrainingFigures{};
  result.training->test_accuracy = value - 0.01;
  if (example.with_layers) {
    double train = joules * 0.9;
    double conv_share = 0.15 * conv, relu_share = relu ? 0.03 : 0.0, linear_share = 0.02 * linear;
    double rest = 1.0 - conv_share - relu_share - linear_share;
    result.training->layer_joules = {{"conv", train * conv_share},
                                     {"linear", train * linear_share},
                                     {"relu", train * relu_share},
                                     {"batchnorm", train * rest}};
  }
  return result;
}

}  // namespace

int fill_example_store(tune::Storage& storage, const ExampleStore& example) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  nlohmann::json config = {{"machine",
                            {{"cpu", "Test CPU " + example.hostile_text},
                             {"gpu", "none"},
                             {"blas", "libopenblas.so.0"},
                             {"threads", 2},
                             {"allocator", "jemalloc"}}},
                           {"carbon", {{"grams_per_kwh", 300.0}, {"pue", 1.2}}}};
  int written = 0;
  for (std::string strategy : {"bayes", "random", "grid"}) {
    tune::StudyInfo info;
    info.name = example.experiment + "/" + strategy + example.hostile_text;
    info.group = example.experiment;
    info.strategy = strategy;
    info.objective = "train";
    info.space_json = R"({"lr":{"type":"real","low":1e-5,"high":0.1,"log":true}})";
    info.config_json = config.dump();
    auto study = storage.create_or_open_study(info);
    for (int round = 0; round < example.rounds; ++round) {
      double lr = std::pow(10.0, -5.0 + 4.0 * unit(rng));
      auto trial =
          storage.claim_trial(study.id, {"test-host", 1, ""}, [&](const std::vector<tune::Trial>&) {
            return std::optional<tune::Params>(tune::Params{{"lr", lr}});
          });
      // Accuracy peaks near lr = 1e-3; the last round of "random" fails, as real runs do.
      double accuracy = 0.88 - 0.05 * std::fabs(std::log10(lr) + 3.0) + 0.01 * unit(rng);
      if (strategy == "random" && round == example.rounds - 1) {
        tune::Trial failed;
        failed.state = tune::TrialState::failed;
        failed.error = "diverged <loss nan>";
        storage.finish_trial(trial->id, failed);
      } else {
        double joules = 1000 + 200 * unit(rng);
        storage.finish_trial(trial->id, finished(example, accuracy, joules, 2, 3, true));
      }
      ++written;
    }
  }
  tune::StudyInfo sweep;
  sweep.name = example.experiment + "/sweep";
  sweep.group = example.experiment;
  sweep.strategy = "sweep";
  sweep.objective = "train";
  sweep.space_json = R"({"conv":[1,2],"linear":[3,4],"relu":[0,1]})";
  sweep.config_json = config.dump();
  auto study = storage.create_or_open_study(sweep);
  for (int64_t conv : {1, 2})
    for (int64_t linear : {3, 4})
      for (int64_t relu : {0, 1})
        for (int64_t rep : {0, 1}) {
          tune::Params params{{"conv", conv}, {"linear", linear}, {"relu", relu}, {"rep", rep}};
          auto trial = storage.claim_trial(
              study.id, {"test-host", 1, ""},
              [&](const std::vector<tune::Trial>&) { return std::optional<tune::Params>(params); });
          double joules = 800.0 * static_cast<double>(conv) + 40.0 * static_cast<double>(linear) +
                          25.0 * static_cast<double>(relu) + 5.0 * unit(rng);
          double accuracy = 0.85 + 0.01 * static_cast<double>(conv) + 0.004 * unit(rng);
          storage.finish_trial(trial->id,
                               finished(example, accuracy, joules, static_cast<int>(conv),
                                        static_cast<int>(linear), relu != 0));
          ++written;
        }
  return written;
}

}  // namespace greentune::report::testing
