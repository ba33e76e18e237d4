#include "greentune/store/study_match.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "greentune/common/error.hpp"
#include "greentune/tune/names.hpp"
#include "greentune/tune/study_objectives.hpp"

namespace greentune::store {
namespace {

// Spaces are compared as parsed JSON, so formatting differences are not differences.
bool same_json(const std::string& a, const std::string& b) {
  auto ja = nlohmann::json::parse(a, nullptr, false);
  auto jb = nlohmann::json::parse(b, nullptr, false);
  if (ja.is_discarded() || jb.is_discarded()) return a == b;
  return ja == jb;
}

// "maximize" for one objective, "[maximize, minimize]" for several.
std::string directions_label(const std::vector<tune::Direction>& directions) {
  if (directions.size() == 1) return direction_text(directions.front());
  std::string out;
  for (auto d : directions) out += (out.empty() ? "" : ", ") + std::string(direction_text(d));
  return "[" + out + "]";
}

}  // namespace

const char* direction_text(tune::Direction direction) {
  return direction == tune::Direction::minimize ? "minimize" : "maximize";
}

void check_study_names(const tune::StudyInfo& wanted, const std::string& store) {
  try {
    tune::check_name(wanted.name, "study name");
    if (!wanted.group.empty()) tune::check_name(wanted.group, "study group");
    // Shown in every listing beside the name.
    if (!wanted.strategy.empty()) tune::check_name(wanted.strategy, "study strategy");
    if (!wanted.objective.empty()) tune::check_name(wanted.objective, "study objective");
  } catch (const InputError& e) {
    throw InputError(fmt::format("study store {}: {}", store, e.what()));
  }
}

void check_study_matches(const tune::StudyInfo& existing, const tune::StudyInfo& wanted,
                         const std::string& store) {
  std::string where = fmt::format("study '{}' in {}", wanted.name, store);
  if (tune::directions_of(existing) != tune::directions_of(wanted)) {
    throw InputError(fmt::format("{} exists with direction {}, not {}; use another study name",
                                 where, directions_label(tune::directions_of(existing)),
                                 directions_label(tune::directions_of(wanted))));
  }
  if (tune::metrics_of(existing) != tune::metrics_of(wanted)) {
    throw InputError(fmt::format("{} exists with metrics [{}], not [{}]; use another study name",
                                 where, fmt::join(tune::metrics_of(existing), ", "),
                                 fmt::join(tune::metrics_of(wanted), ", ")));
  }
  if (existing.strategy != wanted.strategy) {
    throw InputError(fmt::format(
        "{} exists with strategy {}, not {}; continue it with strategy {}, or give the {} study "
        "another name",
        where, existing.strategy, wanted.strategy, existing.strategy, wanted.strategy));
  }
  if (existing.objective != wanted.objective) {
    throw InputError(fmt::format("{} exists with objective {}, not {}; use another study name",
                                 where, existing.objective, wanted.objective));
  }
  if (!same_json(existing.space_json, wanted.space_json)) {
    throw InputError(fmt::format(
        "{} exists with another search space (stored {}, configured {}); use another study "
        "name to search a changed space",
        where, existing.space_json, wanted.space_json));
  }
}

}  // namespace greentune::store
