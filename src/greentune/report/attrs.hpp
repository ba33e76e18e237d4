#pragma once
// Reading the details training runs leave in trial attrs_json (nn::TrainResult::to_json, plus what
// experiments add): per-epoch energy by phase and domain, joules attributed to layer types, and
// the machine. Absent or malformed parts read as empty: the report shows what is there.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace greentune::report {

struct PhaseEnergy {
  std::string phase;   // "train" | "eval"
  std::string domain;  // "package-0", "dram-0", "gpu-0", ...
  std::string kind;    // "measured" | "estimated"
  std::string source;
  double joules = 0;
};

struct EpochEnergy {
  int epoch = 0;  // 1-based
  std::vector<PhaseEnergy> parts;
};

// Every training run recorded in the attrs: the run itself ("epochs" at the top), or each of its
// repetitions ("repetitions": [{..., "epochs": [...]}, ...]).
std::vector<std::vector<EpochEnergy>> epoch_energy(const nlohmann::json& attrs);

// Attributed joules per layer type, summed over epochs, averaged over repetitions.
std::map<std::string, double> layer_joules(const nlohmann::json& attrs);

// "machine" from a study config (or trial attrs) as ordered key/value text pairs.
std::vector<std::pair<std::string, std::string>> machine_fields(const nlohmann::json& object);

}  // namespace greentune::report
