#!/usr/bin/python3
"""One table over several bench/pruning_bench.sh output folders (one per sampler seed).

usage: bench/pruning_seeds.py OUT_DIR...   (e.g. out/issue9-s*)

Per seed and pruned arm (asha, and asha-b when the bench ran PRUNER_B): the best validation
accuracy of a complete trial against the unpruned study's, the arm's joules and epochs as a share
of the unpruned study's, and the test accuracy of each arm's picked trial; then means and medians
over the seeds, and how many seeds met issue 9's two targets (within 0.5 point, at most 40 % of
the joules) together.
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pruning_bench import best, best_trial_test, greentune_arm  # noqa: E402


def seed_of(folder):
    for line in open(os.path.join(folder, "none.toml")):
        if line.startswith("seed"):
            return line.split("=")[1].strip()
    return "?"


def main():
    rows = {}
    for folder in sys.argv[1:]:
        base = greentune_arm(os.path.join(folder, "none.json"))
        base_best = best(base)
        base_joules = sum(t["joules"] for t in base["trials"])
        base_epochs = sum(len(t["epoch_joules"]) for t in base["trials"])
        for arm in ("asha", "asha-b"):
            path = os.path.join(folder, arm + ".json")
            if not os.path.exists(path):
                continue
            a = greentune_arm(path)
            states = [t["state"] for t in a["trials"]]
            rows.setdefault(arm, []).append({
                "seed": seed_of(folder),
                "base": base_best, "best": best(a), "gap": (best(a) - base_best) * 100,
                "joules": sum(t["joules"] for t in a["trials"]) / base_joules,
                "epochs": sum(len(t["epoch_joules"]) for t in a["trials"]) / base_epochs,
                "complete": states.count("complete"),
                "test": best_trial_test(a), "base_test": best_trial_test(base)})
    for arm, table in rows.items():
        print(f"\n{arm} ({len(table)} seeds)\n")
        print("| seed | unpruned best | best (complete of 30) | gap | joules | epochs "
              "| picked trial's test acc.: unpruned / pruned | both targets |")
        print("|---|---|---|---|---|---|---|---|")
        for r in table:
            met = r["gap"] >= -0.5 - 1e-9 and r["joules"] <= 0.4
            print(f"| {r['seed']} | {r['base']:.4f} | {r['best']:.4f} ({r['complete']}) "
                  f"| {r['gap']:+.2f} | {r['joules']:.1%} | {r['epochs']:.1%} "
                  f"| {r['base_test']:.4f} / {r['test']:.4f} | {'yes' if met else 'no'} |")
        gaps = [r["gap"] for r in table]
        joules = [r["joules"] for r in table]
        tests = [(r["test"] - r["base_test"]) * 100 for r in table]
        print(f"\n- gap to the unpruned best: mean {statistics.mean(gaps):+.2f}, median "
              f"{statistics.median(gaps):+.2f} points (range {min(gaps):+.2f} to {max(gaps):+.2f})")
        print(f"- joules: mean {statistics.mean(joules):.1%}, median {statistics.median(joules):.1%}"
              f" (range {min(joules):.1%} to {max(joules):.1%})")
        print(f"- picked trials' test accuracy, pruned minus unpruned: mean "
              f"{statistics.mean(tests):+.2f}, median {statistics.median(tests):+.2f} points")
        met = sum(1 for r in table if r["gap"] >= -0.5 - 1e-9 and r["joules"] <= 0.4)
        print(f"- seeds meeting both targets: {met} of {len(table)}")


if __name__ == "__main__":
    main()
