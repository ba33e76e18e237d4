#include "greentune/report/load_check.hpp"

#include <fmt/format.h>

#include "greentune/report/uncertainty.hpp"

namespace greentune::report {

LoadVerdict load_verdict(const tune::RunConditions& conditions) {
  if (!conditions.cpu_share) return LoadVerdict::not_recorded;
  return *conditions.cpu_share < kUnderLoadShare ? LoadVerdict::under_load : LoadVerdict::quiet;
}

const char* to_string(LoadVerdict verdict) {
  switch (verdict) {
    case LoadVerdict::quiet:
      return "quiet";
    case LoadVerdict::under_load:
      return "under load";
    case LoadVerdict::not_recorded:
      return "not recorded";
  }
  return "not recorded";
}

LoadCount count_load(const std::vector<const tune::Trial*>& trials, std::string arm) {
  LoadCount count;
  count.arm = std::move(arm);
  for (const auto* trial : trials) {
    ++count.trials;
    switch (load_verdict(trial->conditions)) {
      case LoadVerdict::under_load:
        ++count.under_load;
        break;
      case LoadVerdict::not_recorded:
        ++count.not_recorded;
        break;
      case LoadVerdict::quiet:
        break;
    }
    if (trial->conditions.cpu_share) count.cpu_shares.push_back(*trial->conditions.cpu_share);
    if (trial->conditions.load_average_start)
      count.load_averages.push_back(*trial->conditions.load_average_start);
  }
  return count;
}

std::string load_rule_text() {
  return fmt::format(
      "A trial ran under load when other processes took more than {:g} % of the machine's busy "
      "CPU time while it ran (its CPU share below {:g}): measured joules then include their work, "
      "estimated ones the trial's slowdown from competing for cores, caches and memory.",
      (1 - kUnderLoadShare) * 100, kUnderLoadShare);
}

std::string load_sentence(const LoadCount& total, const std::vector<LoadCount>& arms) {
  if (total.trials == 0) return "No trials.";
  const size_t recorded = total.trials - total.not_recorded;
  if (recorded == 0)
    return fmt::format("The machine's load was not recorded for any of the {} trials.",
                       total.trials);
  std::string text = fmt::format("{} of {} trials ran under load", total.under_load, recorded);
  std::string figures = fmt::format("median CPU share {:.2f}", quartiles(total.cpu_shares).median);
  if (!total.load_averages.empty())
    figures +=
        fmt::format(", median load average at start {:.1f}", quartiles(total.load_averages).median);
  text += " (" + figures + ")";
  std::string per_arm;
  for (const auto& arm : arms) {
    if (arm.trials == arm.not_recorded) continue;
    per_arm += fmt::format("{}{} {} of {}", per_arm.empty() ? "" : ", ", arm.arm, arm.under_load,
                           arm.trials - arm.not_recorded);
  }
  if (!per_arm.empty()) text += ": " + per_arm;
  text += ".";
  if (total.not_recorded > 0)
    text += fmt::format(" {} more trials recorded no load figures.", total.not_recorded);
  return text;
}

}  // namespace greentune::report
