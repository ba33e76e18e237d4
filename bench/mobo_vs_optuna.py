#!/usr/bin/python3
"""Optuna 3.1's NSGAIISampler and multi-objective TPESampler (default settings) on ZDT1, ZDT2 and
DTLZ2, and the hypervolume table against greentune's traces. Every hypervolume in the table is
computed here, with Optuna's own WFG implementation and one reference point per problem, for every
sampler alike; greentune's own figures (in its traces) are only checked against them. Run through
mobo_vs_optuna.sh; needs Debian's /usr/bin/python3 with optuna."""
import argparse
import json
import math
import statistics
import sys

import numpy as np

# BoTorch's test-problem reference points.
REFERENCE = {"zdt1": [11.0, 11.0], "zdt2": [11.0, 11.0], "dtlz2": [1.1, 1.1]}
# Hypervolume of the true front against those points: the reference box minus the area under
# the front (ZDT1: 1 - sqrt(x), ZDT2: 1 - x^2 on [0, 1]; DTLZ2: the quarter unit circle).
BEST = {"zdt1": 121 - 1 / 3, "zdt2": 121 - 2 / 3, "dtlz2": 1.21 - math.pi / 4}


def zdt_g(x):
    return 1 + 9 * sum(x[1:]) / (len(x) - 1)


def evaluate(problem, x):
    if problem == "zdt1":
        g = zdt_g(x)
        return [x[0], g * (1 - math.sqrt(x[0] / g))]
    if problem == "zdt2":
        g = zdt_g(x)
        return [x[0], g * (1 - (x[0] / g) ** 2)]
    g = sum((v - 0.5) ** 2 for v in x[1:])
    return [(1 + g) * math.cos(x[0] * math.pi / 2), (1 + g) * math.sin(x[0] * math.pi / 2)]


def optuna_runs(problem, sampler_name, seeds, evaluations, variables):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    runs = []
    for seed in range(seeds):
        if sampler_name == "nsga2":
            sampler = optuna.samplers.NSGAIISampler(seed=seed)
        else:
            sampler = optuna.samplers.TPESampler(seed=seed)
        study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
        study.optimize(
            lambda t: evaluate(problem, [t.suggest_float(f"x{i}", 0, 1) for i in range(variables)]),
            n_trials=evaluations)
        runs.append({"seed": seed, "objectives": [t.values for t in study.trials]})
    return runs


def hypervolume(points, reference):
    from optuna._hypervolume import WFG
    ref = np.asarray(reference, dtype=float)
    inside = [p for p in points if all(v < r for v, r in zip(p, ref))]
    if not inside:
        return 0.0
    return float(WFG().compute(np.asarray(inside, dtype=float), ref))


def quartiles(values):
    """The three quartiles (statistics.quantiles' default, exclusive method); one value: itself."""
    if len(values) < 2:
        return [values[0]] * 3
    return statistics.quantiles(values, n=4)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--evals", type=int, default=80)
    parser.add_argument("--variables", type=int, default=6)
    parser.add_argument("--out", default="mobo_vs_optuna.md")
    parser.add_argument("greentune", nargs="+", help="JSON from mobo_hypervolume_bench --trace")
    args = parser.parse_args()

    runs = {}  # (problem, sampler) -> runs
    own = []   # (problem, sampler, seed, n, greentune's hypervolume)
    for path in args.greentune:
        with open(path) as f:
            d = json.load(f)
        runs[(d["problem"], d["sampler"])] = d["runs"]
        for r in d["runs"]:
            for n, v in r["hypervolume"].items():
                own.append((d["problem"], d["sampler"], r["seed"], int(n), v))
    problems = sorted({p for p, _ in runs}, key=["zdt1", "zdt2", "dtlz2"].index)
    for problem in problems:
        for name, label in (("nsga2", "optuna NSGAIISampler"), ("tpe", "optuna TPESampler")):
            runs[(problem, label)] = optuna_runs(problem, name, args.seeds, args.evals,
                                                 args.variables)

    checkpoints = [n for n in (40, 80) if n <= args.evals]
    medians = {}
    lines = [f"Median hypervolume over {args.seeds} seeds, {args.variables} variables, with its "
             "quartiles over the seeds (higher is better; gap = best possible - median, lower is "
             "better)", ""]
    lines.append("| problem | reference | sampler | " +
                 " | ".join(f"HV n={n} | quartiles n={n} | gap n={n}" for n in checkpoints) + " |")
    lines.append("|---|---|---|" + "---|---|---|" * len(checkpoints))
    for problem in problems:
        for (p, sampler), sampler_runs in sorted(runs.items()):
            if p != problem:
                continue
            cells = []
            for n in checkpoints:
                values = [hypervolume(r["objectives"][:n], REFERENCE[problem])
                          for r in sampler_runs]
                m = statistics.median(values)
                medians[(problem, sampler, n)] = m
                q1, _, q3 = quartiles(values)
                cells.append(f"{m:.4f} | {q1:.4f}-{q3:.4f} | {BEST[problem] - m:.3g}")
            ref = ",".join(f"{v:g}" for v in REFERENCE[problem])
            lines.append(f"| {problem} | ({ref}) | {sampler} | " + " | ".join(cells) + " |")

    verdict = []
    mobo_labels = sorted({s for _, s in runs if s.startswith("greentune mobo")})
    for label in mobo_labels:
        for problem in problems:
            for n in checkpoints:
                mine = medians.get((problem, label, n))
                if mine is None:
                    continue
                for other in ("optuna NSGAIISampler", "optuna TPESampler"):
                    theirs = medians[(problem, other, n)]
                    verdict.append(f"{problem} @{n}: {label} {mine:.4f} vs {other} {theirs:.4f}: "
                                   f"{'above' if mine > theirs else 'NOT above'}")
    worst = 0.0
    for problem, sampler, seed, n, value in own:
        r = next(r for r in runs[(problem, sampler)] if r["seed"] == seed)
        worst = max(worst, abs(value - hypervolume(r["objectives"][:n], REFERENCE[problem])))
    verdict.append(f"greentune's hypervolume vs Optuna's WFG on the same points: largest "
                   f"difference {worst:.3g} over {len(own)} fronts")
    times = [r["propose_cpu_seconds"][args.evals - 1]
             for (p, s), rs in runs.items() if s == "greentune mobo" for r in rs
             if len(r.get("propose_cpu_seconds", [])) >= args.evals]
    if times:
        verdict.append(f"greentune mobo: CPU seconds of proposal {args.evals} (history of "
                       f"{args.evals - 1}): median {statistics.median(times):.3f}, "
                       f"max {max(times):.3f} over {len(times)} runs")
    text = "\n".join(lines + [""] + verdict) + "\n"
    sys.stdout.write(text)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
