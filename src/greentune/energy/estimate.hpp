#pragma once
// The estimate source, for machines with no usable energy counter (VMs, containers): CPU energy is
// the CPU time of the measured scope x a per-CPU power from the CPU's TDP (see load_model.hpp),
// DRAM energy is resident memory x a fixed W/GB. Both domains are kind=estimated, and their method
// says the model, where the TDP came from and why no counter was used.
#include <memory>
#include <optional>
#include <string>

#include "greentune/energy/load_model.hpp"
#include "greentune/energy/process_cpu.hpp"
#include "greentune/energy/source.hpp"

namespace greentune::energy {

enum class EstimateScope {
  self,          // this process (the library, the trainer)
  process_tree,  // a command and its descendants (`greentune measure`)
  machine,       // every CPU of the machine (<proc>/stat)
};
const char* to_string(EstimateScope scope);

struct EstimateOptions {
  EstimateScope scope = EstimateScope::self;
  std::shared_ptr<ProcessTree> tree;    // required for process_tree
  std::optional<double> cpu_tdp_watts;  // --cpu-tdp: the package TDP; else the table, else default
  std::optional<int> cpu_threads;       // --cpu-threads: hardware threads of the physical package
};

// "model name", "siblings" and the "hypervisor" flag of <proc>/cpuinfo.
CpuInfo read_cpuinfo(const std::filesystem::path& proc_root);

// Never nullptr for a valid scope; `why` (why no counter is usable) goes into every method text.
// result.cpu_power says how the watts per CPU were found. Throws InputError for a bad --cpu-tdp or
// --cpu-threads, or a process_tree scope without a tree.
std::unique_ptr<Source> open_estimate(const SystemPaths& paths, const EstimateOptions& options,
                                      const std::string& why, ProbeResult& result);

}  // namespace greentune::energy
