#pragma once
// Every trial of every study as CSV (one row per trial, one column per parameter and per energy
// domain) and as JSON (each trial as tune::to_json writes it), for analysis outside greentune.
#include <string>
#include <vector>

#include "greentune/report/study_data.hpp"

namespace greentune::report {

std::string trials_csv(const std::vector<StudyRecord>& studies);
std::string trials_json(const std::vector<StudyRecord>& studies);

// One cell, by greentune::csv_cell: RFC 4180 quoting, and text a spreadsheet would run as a
// formula prefixed with a quote.
std::string csv_field(const std::string& text);

}  // namespace greentune::report
