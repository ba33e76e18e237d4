#include "greentune/report/study_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace greentune::report {

std::string StudyRecord::label() const {
  const std::string prefix = info.group.empty() ? "" : info.group + "/";
  if (!prefix.empty() && info.name.rfind(prefix, 0) == 0 && info.name.size() > prefix.size())
    return info.name.substr(prefix.size());
  return info.name;
}

nlohmann::json parse_lenient(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::vector<StudyRecord> load_studies(tune::Storage& storage) {
  std::vector<StudyRecord> records;
  for (auto& info : storage.studies()) {
    StudyRecord record;
    record.trials = storage.trials(info.id);
    std::sort(record.trials.begin(), record.trials.end(),
              [](const tune::Trial& a, const tune::Trial& b) { return a.number < b.number; });
    record.config = parse_lenient(info.config_json);
    if (!record.config.is_object()) record.config = nlohmann::json::object();
    record.info = std::move(info);
    records.push_back(std::move(record));
  }
  std::stable_sort(records.begin(), records.end(), [](const StudyRecord& a, const StudyRecord& b) {
    return a.info.group != b.info.group ? a.info.group < b.info.group : a.info.id < b.info.id;
  });
  return records;
}

std::string energy_provenance(const std::vector<tune::Trial>& trials) {
  // kind -> source -> domains, so the text groups like "measured: package-0, dram-0 (powercap)".
  std::map<std::string, std::map<std::string, std::set<std::string>>> seen;
  for (const auto& trial : trials)
    for (const auto& e : trial.energy) seen[e.kind][e.source].insert(e.name);
  if (seen.empty()) return "no energy recorded";
  std::string text;
  for (const auto& [kind, sources] : seen) {
    if (!text.empty()) text += "; ";
    text += (kind.empty() ? std::string("unlabelled") : kind) + ": ";
    bool first_source = true;
    for (const auto& [source, domains] : sources) {
      if (!first_source) text += ", ";
      first_source = false;
      bool first = true;
      for (const auto& domain : domains) {
        text += (first ? "" : ", ") + domain;
        first = false;
      }
      text += " (" + (source.empty() ? std::string("unknown source") : source) + ")";
    }
  }
  return text;
}

std::string energy_kind(const tune::Trial& trial) {
  bool measured = false, estimated = false;
  for (const auto& e : trial.energy) {
    if (e.kind == "estimated")
      estimated = true;
    else
      measured = true;
  }
  if (measured && estimated) return "mixed";
  if (estimated) return "estimated";
  if (measured) return "measured";
  return "none";
}

std::vector<std::pair<std::string, std::string>> machine_fields(const nlohmann::json& config) {
  std::vector<std::pair<std::string, std::string>> fields;
  if (!config.is_object() || !config.contains("machine") || !config["machine"].is_object())
    return fields;
  for (const auto& [key, value] : config["machine"].items()) {
    std::string text;
    if (value.is_string())
      text = value.get<std::string>();
    else if (value.is_number_integer())
      text = std::to_string(value.get<int64_t>());
    else if (value.is_number())
      text = fmt::format("{:g}", value.get<double>());
    else if (value.is_boolean())
      text = value.get<bool>() ? "yes" : "no";
    else if (!value.is_null())
      text = value.dump();
    fields.emplace_back(key, text);
  }
  return fields;
}

}  // namespace greentune::report
