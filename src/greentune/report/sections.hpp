#pragma once
// The sections of the report page, each appending to a Page from the studies alone (nothing is
// re-run). html.cpp puts them in order; a new section is a new file with its function declared
// here.
#include <string>
#include <vector>

#include "greentune/report/html.hpp"
#include "greentune/report/page.hpp"
#include "greentune/report/study_data.hpp"

namespace greentune::report {

// The machine, how energy was obtained, carbon, and the machine's load while the trials ran.
void setup_section(Page& page, const std::vector<StudyRecord>& studies,
                   const ReportOptions& options);

// Tuning strategies of one experiment: the trial-count view (rounds to optimum, both
// definitions) and the energy view (best value against cumulative joules), the spread over
// seeds, joules per trial between arms and the trials run under load.
void tuning_section(Page& page, const std::string& group,
                    const std::vector<const StudyRecord*>& studies, const ReportOptions& options);

// A study with several objectives: its front, knee and cheapest good trial (front_view.hpp).
void front_section(Page& page, const StudyRecord& study, const ReportOptions& options);

// An architecture sweep: energy per layer factor, effect sizes, per-configuration means with
// their intervals, layer-type attribution and the Pareto front.
void sweep_section(Page& page, const StudyRecord& study, const ReportOptions& options);

// Energy per epoch over every trial of an experiment that reported it.
void epoch_section(Page& page, const std::string& group,
                   const std::vector<const StudyRecord*>& studies);

// The paper's figures beside ours, like with like, with what differs said first.
void paper_section(Page& page, const std::vector<StudyRecord>& studies,
                   const ReportOptions& options);

void studies_section(Page& page, const std::vector<StudyRecord>& studies);

}  // namespace greentune::report
