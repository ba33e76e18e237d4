// Energy per epoch over every trial of an experiment that reported it: the difference of the
// cumulative joules of consecutive intermediate reports.
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "greentune/report/sections.hpp"
#include "greentune/report/uncertainty.hpp"

namespace greentune::report {

void epoch_section(Page& page, const std::string& group,
                   const std::vector<const StudyRecord*>& studies) {
  std::map<int, std::vector<double>> by_epoch;
  std::vector<tune::Trial> reported;
  for (auto* study : studies)
    for (const auto& trial : study->trials) {
      double before = 0;
      bool any = false;
      for (const auto& report : trial.intermediate) {
        if (!std::isfinite(report.joules)) continue;
        by_epoch[report.step].push_back(report.joules - before);
        before = report.joules;
        any = true;
      }
      if (any) reported.push_back(trial);
    }
  if (reported.empty()) return;
  BarChart chart = bar_chart(group + ": energy per epoch", {"mean energy per trial", "J"}, {});
  BarGroup joules{"all domains", {}};
  for (const auto& [epoch, values] : by_epoch) {
    chart.categories.push_back(fmt::format("epoch {}", epoch));
    joules.values.push_back(mean_interval(values).mean);
    joules.errors.push_back(interval_bar(values));
  }
  chart.groups.push_back(std::move(joules));
  page.bars("epoch-energy", chart,
            fmt::format("Mean over {} trials (training and evaluation of each epoch); whiskers: "
                        "95 % CI. Energy: {}.",
                        reported.size(), energy_provenance(reported)));
}

}  // namespace greentune::report
