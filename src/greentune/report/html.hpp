#pragma once
// `greentune report`: reads a store (never re-runs anything) and writes one self-contained HTML
// file (charts drawn by greentune inline as SVG, no external URLs), trials.csv and trials.json,
// each atomically.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "greentune/report/study_data.hpp"
#include "greentune/tune/storage.hpp"

namespace greentune::report {

struct ReportOptions {
  // Sweeps and studies with several objectives: the cheapest configuration within this of the
  // best (accuracy, or the first objective).
  double accuracy_tolerance = 0.01;
  double optimum_tolerance = 0.005;  // optimum round, unless the study's config sets "tolerance"
  std::string store_label;           // shown in the header (the store URL the user gave)
};

struct ReportFiles {
  std::filesystem::path html, csv, json;
  int charts = 0;
  int studies = 0;
  int trials = 0;
};

ReportFiles write_report(tune::Storage& storage, const std::filesystem::path& out_dir,
                         const ReportOptions& options);

// The HTML alone (charts drawn), for callers that hold the studies already.
std::string render_report_html(const std::vector<StudyRecord>& studies,
                               const ReportOptions& options, int* chart_count = nullptr);

std::string html_escape(std::string_view text);

}  // namespace greentune::report
