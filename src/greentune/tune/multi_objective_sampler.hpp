#pragma once
// Multi-objective Bayesian optimisation (1 to 4 objectives) with outcome constraints.
//
// - One GP per objective and one per constrained quantity (outcome_model.hpp: Matérn-5/2 ARD,
//   standardised values, running trials as believers), on the same encoded unit cube as the
//   single-objective BayesSampler, except that an objective's model predicts the worst observed
//   value, not the average, far from the trials (PriorMean::largest_observed: otherwise the
//   faces and corners of the cube, where nothing was tried, look like average trials that beat a
//   young front, and EHVI spends trials there; on DTLZ2 most of them). Constraint models keep the
//   average.
// - Objectives are turned into minimisations (maximised ones negated), optionally logged first
//   (ValueScale::log, for positive quantities spanning orders of magnitude such as joules), then
//   standardised per objective: accuracy in 0..1 and joules in 1e2..1e5 weigh the same.
// - Acquisition: exact expected hypervolume improvement in log space
//   (multi_objective_acquisition.hpp) over the front of the feasible trials, plus the log
//   probability of satisfying every constraint. With nothing feasible yet, the probability of
//   feasibility alone is maximised. With one objective this is constrained log EI.
// - Reference point: given (reference_point, in the objectives' units: the worst value of each
//   objective worth having, Ax's "objective thresholds"), or else drawn anew for every proposal
//   between the ideal point of the feasible trials and their nadir (plus `reference_margin` times
//   the observed range): independently per objective, uniformly from 20% to 100% of the way to
//   that point, seeded by (seed, trial number). Averaged over proposals this targets a weighted
//   hypervolume (Zitzler, Brockhoff & Thiele 2007) that values the middle of the front as well as
//   its ends. A fixed far reference (the nadir of all trials, Optuna's MOTPE) lets the ends of the
//   front dominate the improvement, so the sampler polishes extreme trade-offs; a fixed near one
//   (the current front's nadir, BoTorch's heuristic) cannot reward points beyond the front found
//   so far, so a narrow early front stays narrow. On ZDT1 and ZDT2 both found clearly smaller
//   fronts than the drawn reference (docs/tuning.md). The margin of one whole range puts more
//   than half of the draws beyond the nadir, so the ends of the front stay worth reaching: with the
//   pessimistic prior mean the model no longer lures the search to the cube's faces, where the
//   ends of ZDT's fronts lie, and a margin of 10% left them unfound on ZDT2 at 40 evaluations.
//   EHVI ranks the same under any rescaling of an objective, so the standardisation matters only
//   through this point.
// - Failed, diverged and pruned trials, and missing values, get the worst observed value of each
//   quantity (as in BayesSampler); infeasible trials stay in every model and only leave the front.
//
// Stateless like every sampler: trial n's proposal depends on the history, the space and (seed, n).
// All modelling works on plain matrices (OutcomeHistory); reading trials is collect_history's job
// alone.
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "greentune/tune/candidate_search.hpp"
#include "greentune/tune/constraints.hpp"
#include "greentune/tune/sampler.hpp"
#include "greentune/tune/samplers.hpp"

namespace greentune::tune {

// One finished trial's outcomes, as the models read them.
struct TrialOutcomes {
  std::vector<double> objectives;   // one per direction; NaN where missing
  std::vector<double> constraints;  // one per constraint; NaN where missing
};

struct MultiObjectiveOptions {
  std::vector<Direction> directions;  // one per objective, 1 to 4
  std::vector<ValueScale> scales;     // empty: all linear; otherwise one per objective
  std::vector<OutcomeConstraint> constraints;
  // Hypervolume reference in the objectives' own units, one per objective; empty: drawn per
  // proposal (see the header comment).
  std::vector<double> reference_point;
  double reference_margin = 1.0;  // see the header comment
  // Reads a complete trial's outcomes; empty: read_trial_outcomes.
  std::function<TrialOutcomes(const Trial&)> read_outcomes;
};

// The default reader. Objectives: value, then values (today's Trial: values holds the further
// objectives). A constraint's quantity: objective `objective` when set, else "joules" or
// "seconds" of the trial; NaN where absent.
TrialOutcomes read_trial_outcomes(const Trial& trial, const MultiObjectiveOptions& options);

// Everything the models see, one row per trial.
struct OutcomeHistory {
  std::vector<std::vector<double>> x;            // encoded points of finished trials
  std::vector<std::vector<double>> objectives;   // raw values (NaN: failed or missing)
  std::vector<std::vector<double>> constraints;  // raw constrained quantities (NaN: missing)
  std::vector<std::vector<double>> pending;      // encoded points of running trials
};

// The trial adapter: finished trials of the context's space (complete ones through the reader,
// the others with NaN everywhere) and running ones as pending.
OutcomeHistory collect_history(const SamplerContext& context, const MultiObjectiveOptions& options);

// The modelling core: encoded candidates ranked by acquisition, best first. Empty while the
// models cannot be built (no trial with every objective measured), i.e. propose at random.
std::vector<std::pair<double, std::vector<double>>> rank_multi_objective_candidates(
    const EncodedLayout& layout, const OutcomeHistory& history,
    const MultiObjectiveOptions& objectives, const SamplerOptions& sampler, uint64_t seed,
    uint64_t number);

class MultiObjectiveSampler : public Sampler {
 public:
  // Uses sampler.startup_rounds, quasi, candidates and fit_restarts. InputError for options that
  // cannot work (no or more than 4 objectives, scales of the wrong size, a log constraint with a
  // bound <= 0, a constraint quantity the default reader does not know, a reference point of the
  // wrong size or not positive on a log scale).
  MultiObjectiveSampler(SamplerOptions sampler, MultiObjectiveOptions objectives);
  std::string name() const override { return "mobo"; }
  std::optional<Params> propose(const SamplerContext& context) override;
  const MultiObjectiveOptions& objectives() const { return objectives_; }

 private:
  std::optional<Params> propose_with_model(const SamplerContext& context);
  SamplerOptions sampler_;
  MultiObjectiveOptions objectives_;
};

}  // namespace greentune::tune
