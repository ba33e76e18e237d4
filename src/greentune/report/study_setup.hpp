#pragma once
// What a study was run with, read from its stored config (tune's config_to_json and the
// experiment's run_context), as far as comparisons need it: the rounds budget, repetitions,
// epochs, training images, device and seed. Store contents are untrusted: a missing or malformed
// field stays unset.
#include <cstdint>
#include <optional>
#include <string>

#include "greentune/report/study_data.hpp"

namespace greentune::report {

struct StudySetup {
  std::optional<int64_t> rounds;       // a tuning study's budget (unset for sweeps)
  std::optional<int64_t> repetitions;  // training runs per round (sweep: per configuration)
  std::optional<int64_t> epochs;
  std::optional<int64_t> train_subset;  // > 0: training images drawn from the data set
  std::optional<bool> paper_mode;       // selected on the test set
  std::string dataset;                  // "" when not recorded
  std::string device;                   // "cpu", "cuda"; "" when not recorded
  std::optional<uint64_t> seed;
};

StudySetup study_setup(const StudyRecord& study);

// Training images the runs saw: the subset, or the data set's full training set less the
// validation split ("60,000" for FashionMNIST in paper mode); "" when unknown.
std::string training_images_text(const StudySetup& setup);

}  // namespace greentune::report
