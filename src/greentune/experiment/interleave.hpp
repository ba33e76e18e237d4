#pragma once
// The order in which an experiment runs its studies' rounds, so that slow drifts of the machine
// (load from other work, temperature) hit every arm alike: round r of every study before round
// r + 1 of any. Decided from the rounds each study has finished, never from a plan kept in memory,
// so an interrupted experiment resumes in the same interleaving.
#include <cstddef>
#include <vector>

namespace greentune::experiment {

struct ArmProgress {
  int finished = 0;        // rounds done (complete, diverged or pruned)
  int rounds = 0;          // rounds wanted
  bool exhausted = false;  // the study has nothing left to propose (a small grid)
  bool done() const { return exhausted || finished >= rounds; }
};

// The arms (indices into `arms`) that run the next round, in order: those not done with the
// fewest finished rounds r. The order rotates with r (round r starts at arm r mod n), so no arm
// always runs first, right after the previous round's last trial. Empty when every arm is done.
std::vector<size_t> next_turns(const std::vector<ArmProgress>& arms);

}  // namespace greentune::experiment
