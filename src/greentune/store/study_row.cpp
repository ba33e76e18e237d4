#include "greentune/store/study_row.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "greentune/common/error.hpp"
#include "greentune/store/study_match.hpp"

namespace greentune::store {

std::string directions_text(const std::vector<tune::Direction>& directions) {
  nlohmann::json out = nlohmann::json::array();
  for (auto d : directions) out.push_back(direction_text(d));
  return out.dump();
}

std::string metrics_text(const std::vector<std::string>& metrics) {
  return nlohmann::json(metrics).dump();
}

void read_objective_columns(tune::StudyInfo& info, const std::string& directions_json,
                            const std::string& metrics_json, const std::string& where) {
  const auto bad = [&](const char* column, const std::string& text, const char* expected) {
    return InputError(fmt::format("study store {}, study '{}': {} is {}; expected {}", where,
                                  info.name, column, text, expected));
  };
  const auto directions = nlohmann::json::parse(directions_json, nullptr, false);
  if (!directions.is_array() || directions.empty() || directions.size() > 4)
    throw bad("directions_json", directions_json, "a list of 1 to 4 directions");
  info.directions.clear();
  for (const auto& d : directions) {
    if (d == "minimize")
      info.directions.push_back(tune::Direction::minimize);
    else if (d == "maximize")
      info.directions.push_back(tune::Direction::maximize);
    else
      throw bad("directions_json", directions_json, "only \"minimize\" and \"maximize\"");
  }
  if (info.directions.front() != info.direction)
    throw bad("directions_json", directions_json, "the direction column's direction first");
  const auto metrics = nlohmann::json::parse(metrics_json, nullptr, false);
  if (!metrics.is_array()) throw bad("metrics_json", metrics_json, "a list of metric names");
  info.metrics.clear();
  for (const auto& m : metrics) {
    if (!m.is_string() || m.get<std::string>().empty())
      throw bad("metrics_json", metrics_json, "a list of metric names");
    info.metrics.push_back(m.get<std::string>());
  }
  if (!info.metrics.empty() && info.metrics.size() != info.directions.size())
    throw bad("metrics_json", metrics_json, "one metric per direction (or none)");
}

}  // namespace greentune::store
