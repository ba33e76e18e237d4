#pragma once
// What the report shows of a study with several objectives: its trials in the plane of the first
// two objectives with the Pareto front drawn over them and the knee ringed, and a table of the
// front with the knee and the cheapest trial within a given distance of the best first objective.
// The front is tune/front.hpp's, so the report agrees with `greentune pareto` and the progress
// lines.
#include <string>
#include <vector>

#include "greentune/report/charts.hpp"
#include "greentune/report/study_data.hpp"
#include "greentune/tune/front.hpp"

namespace greentune::report {

struct FrontView {
  // x: the second objective, y: the first (accuracy up, joules along, for the usual study).
  XYChart chart;
  std::vector<std::string> header;             // number, each metric, joules (measured), params
  std::vector<std::vector<std::string>> rows;  // one per front trial, best first objective first
  std::string summary;                         // counts, hypervolume, knee, cheapest within
};

// For a study whose objectives_of has two or more objectives; `energy_kind` labels the joules
// ("measured", "estimated", ...).
FrontView front_view(const StudyRecord& study, tune::Closeness within,
                     const std::string& energy_kind);

}  // namespace greentune::report
