#!/usr/bin/python3
"""Optuna 3.1 TPE (default settings) on branin and hartmann6, and the regret table against
greentune's traces. Run through bo_vs_optuna.sh; needs Debian's /usr/bin/python3 with optuna."""
import argparse
import json
import math
import statistics
import sys

BRANIN_MIN = 0.39788735772973816
HARTMANN6_MIN = -3.3223680114155147


def branin(x1, x2):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
     [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
     [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
     [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(x):
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def objective(function):
    if function == "branin":
        return lambda t: branin(t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15))
    return lambda t: hartmann6([t.suggest_float(f"x{j}", 0, 1) for j in range(1, 7)])


def optuna_traces(function, seeds, evaluations):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    traces = []
    for seed in range(seeds):
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(objective(function), n_trials=evaluations)
        best, trace = math.inf, []
        for trial in study.trials:
            best = min(best, trial.value)
            trace.append(best)
        traces.append(trace)
    return traces


def median_regret(traces, minimum, n):
    return statistics.median(t[min(n, len(t)) - 1] - minimum for t in traces)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--evals", type=int, default=50)
    parser.add_argument("--out", default="bo_vs_optuna.md")
    parser.add_argument("greentune", nargs="+", help="JSON traces from tune_regret_bench --trace")
    args = parser.parse_args()

    runs = {}  # (function, strategy) -> traces
    for path in args.greentune:
        with open(path) as f:
            d = json.load(f)
        runs[(d["function"], "greentune " + d["strategy"])] = d["best"]
    functions = sorted({f for f, _ in runs})
    for function in functions:
        runs[(function, "optuna tpe")] = optuna_traces(function, args.seeds, args.evals)

    checkpoints = [n for n in (10, 20, 30, 50) if n <= args.evals]
    lines = [f"Median simple regret over {args.seeds} seeds (lower is better)", ""]
    lines.append("| function | sampler | " + " | ".join(f"n={n}" for n in checkpoints) + " |")
    lines.append("|---|---|" + "---|" * len(checkpoints))
    for function in functions:
        minimum = BRANIN_MIN if function == "branin" else HARTMANN6_MIN
        for (f, strategy), traces in sorted(runs.items()):
            if f != function:
                continue
            cells = " | ".join(f"{median_regret(traces, minimum, n):.3g}" for n in checkpoints)
            lines.append(f"| {function} | {strategy} | {cells} |")
    verdict = []
    for function in functions:
        minimum = BRANIN_MIN if function == "branin" else HARTMANN6_MIN
        bo = runs.get((function, "greentune bayes"))
        if bo is None or 30 > args.evals:
            continue
        tpe = median_regret(runs[(function, "optuna tpe")], minimum, 30)
        mine = median_regret(bo, minimum, 30)
        verdict.append(f"{function} @30: greentune bayes {mine:.3g} vs optuna tpe {tpe:.3g}: "
                       f"{'beats' if mine < tpe else 'does NOT beat'} TPE ({tpe / max(mine, 1e-300):.1f}x)")
        rnd = runs.get((function, "greentune random"))
        if rnd is not None:
            r = median_regret(rnd, minimum, 30)
            verdict.append(f"{function} @30: random / bayes = {r / max(mine, 1e-300):.1f}x")
    text = "\n".join(lines + [""] + verdict) + "\n"
    sys.stdout.write(text)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
