// `greentune report STORE --out DIR`: the HTML report, trials.csv and trials.json from a store.
#include <fmt/format.h>

#include <memory>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "greentune/common/error.hpp"
#include "greentune/report/html.hpp"
#include "greentune/store/open_storage.hpp"

namespace {

struct ReportOptions {
  std::string store;
  std::string out = "report";
  double tolerance = 0.01;
  double optimum_tolerance = 0.005;
};

int run_report(const ReportOptions& options) {
  using namespace greentune;
  if (!(options.tolerance >= 0))
    throw InputError(fmt::format("--tolerance {}: expected a number >= 0", options.tolerance));
  if (!(options.optimum_tolerance >= 0))
    throw InputError(
        fmt::format("--optimum-tolerance {}: expected a number >= 0", options.optimum_tolerance));
  // A report never creates a store: a mistyped path is an error, not an empty report.
  auto storage = store::open_storage(options.store, /*writable=*/false);
  report::ReportOptions report_options;
  report_options.accuracy_tolerance = options.tolerance;
  report_options.optimum_tolerance = options.optimum_tolerance;
  report_options.store_label = options.store;
  auto files = report::write_report(*storage, options.out, report_options);
  fmt::print("report: {} ({} studies, {} trials, {} charts)\n", files.html.string(), files.studies,
             files.trials, files.charts);
  fmt::print("trials: {} and {}\n", files.csv.string(), files.json.string());
  return 0;
}

const bool registered = greentune::cli::register_command(
    "report", "Write the HTML report, trials.csv and trials.json from a study store",
    [](CLI::App& app) {
      auto options = std::make_shared<ReportOptions>();
      app.add_option("store", options->store, "The store: sqlite:PATH, PATH.db or postgresql://...")
          ->required();
      app.add_option("-o,--out", options->out, "Directory to write into")->capture_default_str();
      app.add_option("--tolerance", options->tolerance,
                     "Sweeps and studies with several objectives: cheapest configuration "
                     "within this of the best accuracy (first objective)")
          ->capture_default_str();
      app.add_option("--optimum-tolerance", options->optimum_tolerance,
                     "Optimum round: first round within this of the study's final best, for "
                     "studies that did not record their own")
          ->capture_default_str();
      greentune::cli::set_examples(app, "greentune report sqlite:out/quick.db --out out/report",
                                   "greentune report study.db --tolerance 0.02");
      return greentune::cli::Runner([options] { return run_report(*options); });
    });

}  // namespace
