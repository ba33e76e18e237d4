#include "greentune/report/front_view.hpp"
#include "greentune/report/sections.hpp"

namespace greentune::report {

void front_section(Page& page, const StudyRecord& study, const ReportOptions& options) {
  const auto view = front_view(study, {options.accuracy_tolerance, false}, kind_of(study.trials));
  page.html += "<h3>Pareto front: " + html_escape(study.label()) + "</h3>\n<p>" +
               html_escape(view.summary) + "</p>\n";
  page.xy("pareto-front", view.chart,
          "Each point is one complete trial; the line joins the trials no other feasible trial "
          "beats in every objective, and the ring marks the knee. Energy: " +
              energy_provenance(study.trials) + ".");
  page.html += table(view.header, view.rows);
}

}  // namespace greentune::report
