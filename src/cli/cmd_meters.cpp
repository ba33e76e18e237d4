// `greentune meters`: every energy source tried, with its domains or why it is unusable.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "cli/output_option.hpp"
#include "greentune/energy/discovery.hpp"

namespace {

using namespace greentune::energy;

struct MetersOptions {
  greentune::cli::OutputTarget json;
  std::string sysfs_root;
  std::string dev_root;
  std::optional<double> cpu_tdp;
  std::optional<int> cpu_threads;
};

nlohmann::json cpu_power_json(const CpuPowerModel& model) {
  nlohmann::json out{{"cpu_model", model.cpu_model},
                     {"package_tdp_watts", nullptr},
                     {"tdp_source", model.tdp_source},
                     {"threads_per_package", nullptr},
                     {"threads_source", model.threads_source},
                     {"watts_per_logical_cpu", model.watts_per_cpu},
                     {"summary", model.summary}};
  if (model.package_tdp > 0) out["package_tdp_watts"] = model.package_tdp;
  if (model.threads_per_package > 0) out["threads_per_package"] = model.threads_per_package;
  return out;
}

const char* status_of(const ProbeResult& probe, bool used) {
  if (used) return "used";
  return probe.usable ? "unused" : "unusable";
}

int run_meters(const MetersOptions& options) {
  SystemPaths paths = SystemPaths::from_environment();
  if (!options.sysfs_root.empty()) paths.sysfs_root = options.sysfs_root;
  if (!options.dev_root.empty()) paths.dev_root = options.dev_root;
  EstimateOptions estimate;
  estimate.cpu_tdp_watts = options.cpu_tdp;
  estimate.cpu_threads = options.cpu_threads;
  greentune::cli::prepare_outputs({&options.json});
  Discovery found = discover(paths, estimate);

  if (options.json.requested()) {
    nlohmann::json out;
    out["sysfs_root"] = paths.sysfs_root.string();
    out["dev_root"] = paths.dev_root.string();
    out["sources"] = nlohmann::json::array();
    for (size_t i = 0; i < found.probes.size(); ++i) {
      const ProbeResult& probe = found.probes[i];
      nlohmann::json source{{"source", probe.source},
                            {"usable", probe.usable},
                            {"used", found.used[i]},
                            {"reason", probe.reason},
                            {"domains", nlohmann::json::array()}};
      for (const auto& d : probe.domains) {
        source["domains"].push_back({{"name", d.name},
                                     {"source", d.source},
                                     {"kind", to_string(d.kind)},
                                     {"method", d.method},
                                     {"part_of_parent", d.part_of_parent}});
      }
      if (probe.cpu_power) source["cpu_power"] = cpu_power_json(*probe.cpu_power);
      out["sources"].push_back(std::move(source));
    }
    greentune::cli::write_output(options.json, out.dump(2) + "\n");
    if (options.json.to_stdout()) return 0;
  }

  for (size_t i = 0; i < found.probes.size(); ++i) {
    const ProbeResult& probe = found.probes[i];
    fmt::print("{:<9} {:<9} {}\n", probe.source, status_of(probe, found.used[i]), probe.reason);
    for (const auto& d : probe.domains) {
      fmt::print("    {:<10} {:<9}{} {}\n", d.name, to_string(d.kind),
                 d.part_of_parent ? " (inside its package)" : "", d.method);
    }
    if (const auto& model = probe.cpu_power) {
      fmt::print("    {:<10} {}\n", "cpu model",
                 model->cpu_model.empty() ? "(none in cpuinfo)" : model->cpu_model);
      fmt::print("    {:<10} {}\n", "tdp", model->tdp_source);
      fmt::print("    {:<10} {}\n", "threads", model->threads_source);
      fmt::print("    {:<10} {:.3g} W per logical CPU\n", "power", model->watts_per_cpu);
    }
  }
  return 0;
}

const bool registered = greentune::cli::register_command(
    "meters", "List the energy sources: what each measures, or why it is unusable",
    [](CLI::App& app) {
      auto options = std::make_shared<MetersOptions>();
      greentune::cli::add_output_option(app, "--json", options->json,
                                        "Print JSON instead of the table");
      app.add_option("--sysfs-root", options->sysfs_root,
                     "Where sysfs is mounted (default /sys, or $GREENTUNE_SYSFS_ROOT)");
      app.add_option("--dev-root", options->dev_root,
                     "Where /dev is (default /dev, or $GREENTUNE_DEV_ROOT)");
      app.add_option("--cpu-tdp", options->cpu_tdp,
                     "CPU package TDP in watts for the estimate (default: looked up from the CPU "
                     "model)");
      app.add_option("--cpu-threads", options->cpu_threads,
                     "Hardware threads of the physical CPU package for the estimate (default: "
                     "from the CPU model, or cpuinfo on bare metal)");
      greentune::cli::set_examples(app, "greentune meters",
                                   "greentune meters --cpu-tdp 65 --json=meters.json");
      return greentune::cli::Runner([options] { return run_meters(*options); });
    });

}  // namespace
