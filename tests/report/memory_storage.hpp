#pragma once
// An in-memory Storage for the report's tests, and a generator that fills one with the studies an
// experiment writes (three strategies and an architecture sweep), so the report is tested without
// any database engine.
#include <map>
#include <string>
#include <vector>

#include "greentune/tune/storage.hpp"

namespace greentune::report::testing {

class MemoryStorage : public tune::Storage {
 public:
  tune::StudyInfo create_or_open_study(const tune::StudyInfo& wanted) override;
  std::optional<tune::StudyInfo> find_study(const std::string& name) override;
  std::vector<tune::StudyInfo> studies() override;
  std::vector<tune::Trial> trials(int64_t study_id) override;
  std::optional<tune::Trial> claim_trial(int64_t study_id, const tune::TrialOwner& owner,
                                         const tune::ProposeFn& propose) override;
  void heartbeat(int64_t trial_id) override;
  void report_intermediate(int64_t trial_id, const tune::IntermediateReport& report) override;
  void finish_trial(int64_t trial_id, const tune::Trial& result) override;
  std::vector<tune::Trial> fail_stale_trials(int64_t study_id, double stale_seconds) override;

 private:
  tune::Trial& find_trial(int64_t trial_id);
  std::vector<tune::StudyInfo> studies_;
  std::map<int64_t, std::vector<tune::Trial>> trials_;
  int64_t next_trial_id_ = 1;
};

struct ExampleStore {
  std::string experiment = "exp";
  int rounds = 12;
  std::string energy_kind = "measured";  // or "estimated"
  bool with_epochs = true;
  bool with_layers = true;
  std::string hostile_text;  // put into a study name, a parameter and the machine description
};

// Fills `storage` and returns the number of trials written.
int fill_example_store(tune::Storage& storage, const ExampleStore& example);

}  // namespace greentune::report::testing
