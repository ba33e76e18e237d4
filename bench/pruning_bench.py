#!/usr/bin/python3
"""Summary of bench/pruning_bench.sh: one markdown table from its output folder.

Reads none.json and asha.json (`greentune tune --json`: every trial with its per-epoch reports)
and optuna.json (bench/pruning_vs_optuna.py), and loads.tsv. For each arm: trials by state,
epochs run, the best validation accuracy of a complete trial, the joules of all trials, and the
joules (and epochs) spent, trial after trial and epoch after epoch, until some epoch first
reached the target accuracy: the unpruned greentune study's best minus 0.5 point (the issue's
tolerance). When some arm never reaches that, a second pair of columns gives the joules to the
accuracy every arm reached (the lowest of their bests), so the arms still compare on one figure.
Then the issue's two checks for ASHA: best within 0.5 point, joules <= 40 %.
"""
import json
import math
import os
import statistics
import sys


def greentune_arm(path):
    doc = json.load(open(path))
    trials = []
    for t in sorted(doc["trials"], key=lambda t: t["number"]):
        reports = sorted(t["intermediate"], key=lambda r: r["step"])
        values, joules, previous = [], [], 0.0
        for r in reports:
            j = r["joules"] if r["joules"] is not None else float("nan")
            values.append(r["values"][0] if r["values"] and r["values"][0] is not None
                          else float("nan"))
            joules.append(j - previous)
            previous = j
        test = (t.get("training") or {}).get("test_accuracy")
        trials.append({"state": t["state"], "value": t.get("value"), "joules": t["joules"],
                       "validation_accuracy": values, "epoch_joules": joules, "test": test})
    kinds = {e["kind"] for t in doc["trials"] for e in t.get("energy", [])}
    return {"trials": trials, "energy": "+".join(sorted(kinds)) or "none",
            "pruning": doc.get("pruning")}


def optuna_arm(path):
    doc = json.load(open(path))
    trials = []
    for r in doc["trials"]:
        trials.append({"state": r["state"],
                       "value": max(r["validation_accuracy"]) if r["state"] == "complete" else None,
                       "joules": sum(r["epoch_joules"]),
                       "validation_accuracy": r["validation_accuracy"],
                       "epoch_joules": r["epoch_joules"]})
    return {"trials": trials, "energy": doc["energy"]["kind"], "pruning": None,
            "optuna": doc["optuna"], "torch": doc["torch"]}


def to_reach(arm, target):
    joules, epochs = 0.0, 0
    for t in arm["trials"]:
        for value, j in zip(t["validation_accuracy"], t["epoch_joules"]):
            joules += j if math.isfinite(j) else 0.0
            epochs += 1
            if math.isfinite(value) and value >= target:
                return joules, epochs
    return None, None


def best(arm):
    values = [t["value"] for t in arm["trials"] if t["state"] == "complete" and t["value"] is not None]
    return max(values) if values else None


def best_trial_test(arm):
    """Test accuracy of the complete trial with the best validation accuracy (greentune only)."""
    complete = [t for t in arm["trials"] if t["state"] == "complete" and t["value"] is not None]
    if not complete:
        return None
    return max(complete, key=lambda t: t["value"]).get("test")


def main():
    out = sys.argv[1]
    arms = {"greentune bayes": greentune_arm(os.path.join(out, "none.json")),
            "greentune bayes + asha": greentune_arm(os.path.join(out, "asha.json"))}
    if os.path.exists(os.path.join(out, "asha-b.json")):
        arms["greentune bayes + asha-b"] = greentune_arm(os.path.join(out, "asha-b.json"))
    if os.path.exists(os.path.join(out, "optuna.json")):
        arms["optuna tpe + hyperband"] = optuna_arm(os.path.join(out, "optuna.json"))
    base = arms["greentune bayes"]
    base_best, base_joules = best(base), sum(t["joules"] for t in base["trials"])
    target = base_best - 0.005
    common = min(best(arm) for arm in arms.values())
    second = common < target  # some arm never reached the target
    print(f"Target accuracy: {target:.4f} (the unpruned greentune study's best, {base_best:.4f}, "
          "minus 0.5 point)." + (f" Common accuracy: {common:.4f} (the lowest of the arms' bests)."
                                 if second else "") + "\n")
    print("| arm | trials (complete/pruned/other) | epochs run | best val. acc. | its test acc. "
          "| joules (energy) | vs unpruned | joules to target | epochs to target |"
          + (" joules to common | epochs to common |" if second else ""))
    print("|---|---|---|---|---|---|---|---|---|" + ("---|---|" if second else ""))
    for name, arm in arms.items():
        states = [t["state"] for t in arm["trials"]]
        complete, pruned = states.count("complete"), states.count("pruned")
        epochs = sum(len(t["epoch_joules"]) for t in arm["trials"])
        joules = sum(t["joules"] for t in arm["trials"])
        reach_j, reach_e = to_reach(arm, target)
        b, test = best(arm), best_trial_test(arm)
        print(f"| {name} | {len(states)} ({complete}/{pruned}/{len(states) - complete - pruned}) "
              f"| {epochs} | {b:.4f} | {'-' if test is None else f'{test:.4f}'} "
              f"| {joules:.4g} J ({arm['energy']}) "
              f"| {joules / base_joules:.1%} | "
              f"{'not reached' if reach_j is None else f'{reach_j:.4g} J'} | "
              f"{'-' if reach_e is None else reach_e} |"
              + (" {:.4g} J | {} |".format(*to_reach(arm, common)) if second else ""))
    print()
    for label, key in (("ASHA", "greentune bayes + asha"), ("ASHA-B", "greentune bayes + asha-b")):
        if key not in arms:
            continue
        asha = arms[key]
        asha_best, asha_joules = best(asha), sum(t["joules"] for t in asha["trials"])
        print(f"- {label} best within 0.5 point of the unpruned best: "
              f"{'yes' if asha_best >= base_best - 0.005 else 'no'} "
              f"({(asha_best - base_best) * 100:+.2f} points)")
        print(f"- {label} joules at most 40 % of the unpruned study's: "
              f"{'yes' if asha_joules <= 0.4 * base_joules else 'no'} "
              f"({asha_joules / base_joules:.1%})")
        if asha["pruning"]:
            p = asha["pruning"]
            print(f"- {label} study's own estimate of the joules pruning saved: "
                  f"{p['estimated_saved_joules']:.4g} J ({p['pruned_trials']} pruned trials used "
                  f"{p['pruned_joules']:.4g} J; basis: {p['basis']}, an estimate)")
    loads = [line.split("\t") for line in open(os.path.join(out, "loads.tsv")).read().splitlines()[1:]]
    for arm in ("none", "asha", "asha-b", "optuna"):
        values = [float(v) for row in loads if row[1] == arm for v in row[3:5]]
        if values:
            print(f"- 1-minute load average around the {arm} runs: median "
                  f"{statistics.median(values):.1f}, range {min(values):.1f}-{max(values):.1f}")


if __name__ == "__main__":
    main()
