#include "report/memory_storage.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "greentune/common/error.hpp"

namespace greentune::report::testing {

store::StudyInfo MemoryStorage::create_or_open_study(const store::StudyInfo& wanted) {
  for (const auto& study : studies_)
    if (study.name == wanted.name) {
      if (study.space_json != wanted.space_json)
        throw InputError("study " + wanted.name + ": the space changed");
      return study;
    }
  store::StudyInfo created = wanted;
  created.id = static_cast<int64_t>(studies_.size()) + 1;
  studies_.push_back(created);
  trials_[created.id];
  return created;
}

std::optional<store::StudyInfo> MemoryStorage::find_study(const std::string& name) {
  for (const auto& study : studies_)
    if (study.name == name) return study;
  return std::nullopt;
}

std::vector<store::StudyInfo> MemoryStorage::studies() {
  return studies_;
}

std::vector<tune::Trial> MemoryStorage::trials(int64_t study_id) {
  auto it = trials_.find(study_id);
  if (it == trials_.end()) throw StoreError("no study with id " + std::to_string(study_id));
  return it->second;
}

std::optional<tune::Trial> MemoryStorage::claim_trial(
    int64_t study_id, const std::string& host,
    const std::function<std::optional<tune::Params>(const std::vector<tune::Trial>&)>& propose) {
  auto& list = trials_.at(study_id);
  auto params = propose(list);
  if (!params) return std::nullopt;
  tune::Trial trial;
  trial.id = next_trial_id_++;
  trial.number = static_cast<int>(list.size());
  trial.params = *params;
  trial.host = host;
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

void MemoryStorage::report_intermediate(int64_t trial_id, int step, double value) {
  find_trial(trial_id).intermediate.push_back({step, value});
}

void MemoryStorage::finish_trial(int64_t trial_id, const tune::Trial& result) {
  auto& trial = find_trial(trial_id);
  if (trial.state != tune::TrialState::running)
    throw StoreError("trial " + std::to_string(trial_id) + " is not running");
  trial.state = result.state;
  trial.value = result.value;
  trial.values = result.values;
  trial.seconds = result.seconds;
  trial.joules = result.joules;
  trial.energy = result.energy;
  trial.attrs_json = result.attrs_json;
  trial.finished_at = 1;
}

std::vector<tune::Trial> MemoryStorage::fail_stale_trials(int64_t, double) {
  return {};
}

namespace {

// A training run's attrs as the trainer writes them: per-epoch train/eval windows with domains,
// and the layer-type shares of each epoch.
nlohmann::json run_attrs(const ExampleStore& example, double joules, int conv, int linear,
                         bool relu) {
  nlohmann::json attrs = nlohmann::json::object();
  const int epochs = 2;
  if (example.with_epochs) {
    attrs["epochs"] = nlohmann::json::array();
    for (int e = 1; e <= epochs; ++e) {
      auto window = [&](double share) {
        double j = joules / epochs * share;
        return nlohmann::json{{"seconds", j / 20},
                              {"total_joules", j},
                              {"domains",
                               {{{"name", "package-0"},
                                 {"source", "powercap"},
                                 {"kind", example.energy_kind},
                                 {"joules", j * 0.8}},
                                {{"name", "dram-0"},
                                 {"source", "powercap"},
                                 {"kind", example.energy_kind},
                                 {"joules", j * 0.2}}}}};
      };
      nlohmann::json epoch = {
          {"epoch", e}, {"train_energy", window(0.9)}, {"eval_energy", window(0.1)}};
      if (example.with_layers) {
        double train = joules / epochs * 0.9;
        double conv_share = 0.15 * conv, relu_share = relu ? 0.03 : 0.0,
               linear_share = 0.02 * linear;
        double rest = 1.0 - conv_share - relu_share - linear_share;
        epoch["layers_attributed"] = {{{"layer_type", "conv"},
                                       {"time_share", conv_share},
                                       {"attributed_joules", train * conv_share}},
                                      {{"layer_type", "linear"},
                                       {"time_share", linear_share},
                                       {"attributed_joules", train * linear_share}},
                                      {{"layer_type", "relu"},
                                       {"time_share", relu_share},
                                       {"attributed_joules", train * relu_share}},
                                      {{"layer_type", "batchnorm"},
                                       {"time_share", rest},
                                       {"attributed_joules", train * rest}}};
      }
      attrs["epochs"].push_back(epoch);
    }
  }
  return attrs;
}

tune::Trial finished(double value, double joules, const std::string& kind, nlohmann::json attrs) {
  tune::Trial result;
  result.state = tune::TrialState::complete;
  result.value = value;
  result.seconds = joules / 20;
  result.joules = joules;
  const char* source = kind == "estimated" ? "estimate" : "powercap";
  result.energy = {{"package-0", source, kind, joules * 0.8},
                   {"dram-0", source, kind, joules * 0.2}};
  result.attrs_json = attrs.dump();
  return result;
}

}  // namespace

int fill_example_store(store::Storage& storage, const ExampleStore& example) {
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
    store::StudyInfo info;
    info.name = example.experiment + "/" + strategy + example.hostile_text;
    info.group = example.experiment;
    info.strategy = strategy;
    info.objective = "train";
    info.space_json = R"({"lr":{"type":"real","low":1e-5,"high":0.1,"log":true}})";
    info.config_json = config.dump();
    auto study = storage.create_or_open_study(info);
    for (int round = 0; round < example.rounds; ++round) {
      double lr = std::pow(10.0, -5.0 + 4.0 * unit(rng));
      auto trial = storage.claim_trial(study.id, "test-host", [&](const std::vector<tune::Trial>&) {
        return std::optional<tune::Params>(tune::Params{{"lr", lr}});
      });
      // Accuracy peaks near lr = 1e-3; the last round of "random" fails, as real runs do.
      double accuracy = 0.88 - 0.05 * std::fabs(std::log10(lr) + 3.0) + 0.01 * unit(rng);
      if (strategy == "random" && round == example.rounds - 1) {
        tune::Trial failed;
        failed.state = tune::TrialState::failed;
        failed.attrs_json = R"({"error":"diverged <loss nan>"})";
        storage.finish_trial(trial->id, failed);
      } else {
        double joules = 1000 + 200 * unit(rng);
        storage.finish_trial(trial->id, finished(accuracy, joules, example.energy_kind,
                                                 run_attrs(example, joules, 2, 3, true)));
      }
      ++written;
    }
  }
  store::StudyInfo sweep;
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
              study.id, "test-host",
              [&](const std::vector<tune::Trial>&) { return std::optional<tune::Params>(params); });
          double joules = 800.0 * static_cast<double>(conv) + 40.0 * static_cast<double>(linear) +
                          25.0 * static_cast<double>(relu) + 5.0 * unit(rng);
          double accuracy = 0.85 + 0.01 * static_cast<double>(conv) + 0.004 * unit(rng);
          storage.finish_trial(trial->id,
                               finished(accuracy, joules, example.energy_kind,
                                        run_attrs(example, joules, static_cast<int>(conv),
                                                  static_cast<int>(linear), relu != 0)));
          ++written;
        }
  return written;
}

}  // namespace greentune::report::testing
