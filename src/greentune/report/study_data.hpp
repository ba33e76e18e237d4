#pragma once
// What the report reads from a store, read once: every study with its trials and its parsed
// configuration. Store contents are untrusted: JSON that does not parse is kept as text and
// ignored by the analyses rather than failing the whole report.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greentune/tune/storage.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::report {

struct StudyRecord {
  tune::StudyInfo info;
  std::vector<tune::Trial> trials;  // ordered by number
  nlohmann::json config;            // config_json parsed; an empty object when it does not parse
  bool maximize() const { return info.direction == tune::Direction::maximize; }
  bool is_sweep() const { return info.strategy == "sweep"; }
  // The study's name without its experiment prefix ("exp/bayes" in group "exp" -> "bayes").
  std::string label() const;
};

std::vector<StudyRecord> load_studies(tune::Storage& storage);

// Parsed JSON, or a discarded value (is_discarded()) when `text` is not JSON.
nlohmann::json parse_lenient(const std::string& text);

// How a set of trials' energy was obtained, e.g. "measured: package-0, dram-0 (powercap)" or
// "estimated: cpu-0 (estimate); measured: gpu-0 (nvml)"; "no energy recorded" when none.
std::string energy_provenance(const std::vector<tune::Trial>& trials);
// "measured", "estimated", "mixed" or "none" for one trial.
std::string energy_kind(const tune::Trial& trial);

// "machine" from a study config (experiment::run_context) as ordered key/value text pairs.
std::vector<std::pair<std::string, std::string>> machine_fields(const nlohmann::json& config);

}  // namespace greentune::report
