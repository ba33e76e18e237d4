#!/usr/bin/python3
"""Fits load-to-power models of a CPU package on CodeCarbon's RAPL load profiles and prints each
model's error, so docs/measuring-energy.md can state how far the estimate may be off.

Usage: /usr/bin/python3 bench/fit_load_model.py [PROFILE_DIR]
(default: /work/shared/reference/energy/cpu_load_profiles). Standard library only.

Power is modelled relative to the package TDP (from the CPU table shipped in resources/):
p = P / TDP, L = load in [0, 1]. Coefficients are fitted on all profiles together, because the
estimate must work for CPUs that were never profiled.
"""
import csv
import math
import os
import sys

TDP = {  # resources/cpu_power.csv entries that the profiled CPUs match
    "AMD EPYC 8024P 8-Core Processor": 90.0,
    "AMD Ryzen Threadripper 1950X 16-Core Processor": 180.0,
    "Intel(R) Xeon(R) CPU E3-1240 V2 @ 3.40GHz": 69.0,
    "Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz": 85.0,
}


def load_profiles(folder):
    profiles = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(folder, name), newline="") as f:
            rows = list(csv.DictReader(f))
        cpu = rows[0]["cpu_name"]
        points = [(float(r["cpu_load"]) / 100.0, float(r["rapl_power"]),
                   float(r["duration"])) for r in rows]
        label = name.split("__")[0] + " " + rows[0]["load_type"]
        profiles.append((label, TDP[cpu], points, int(rows[0]["cores_used"])))
    return profiles


def fit_through_origin(xs, ys):
    return sum(x * y for x, y in zip(xs, ys)) / sum(x * x for x in xs)


def fit_linear(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - slope * mx, slope


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference/energy/cpu_load_profiles"
    profiles = load_profiles(folder)
    loads = [l for _, _, pts, _ in profiles for l, _, _ in pts]
    rel = [p / tdp for _, tdp, pts, _ in profiles for _, p, _ in pts]

    k = fit_through_origin(loads, rel)
    a, b = fit_linear(loads, rel)
    best = None
    for step in range(5, 151):  # power law k * L^e, exponent on a grid, k by least squares
        e = step / 100.0
        xs = [l ** e for l in loads]
        kk = fit_through_origin(xs, rel)
        sse = sum((kk * x - y) ** 2 for x, y in zip(xs, rel))
        if best is None or sse < best[0]:
            best = (sse, e, kk)
    _, e, kp = best

    models = {
        "codecarbon TDP*(0.1+0.9*L^3)": lambda l: 0.1 + 0.9 * l ** 3,
        "TDP*L (no fit)": lambda l: l,
        f"fitted TDP*{k:.3f}*L": lambda l: k * l,
        f"fitted TDP*({a:.3f}+{b:.3f}*L)": lambda l: a + b * l,
        f"fitted TDP*{kp:.3f}*L^{e:.2f}": lambda l: kp * l ** e,
    }
    print(f"{len(profiles)} profiles, {len(loads)} points (load, RAPL package power)")
    print("energy error = (estimated - measured) / measured over a whole profile run;")
    print("row error = mean |estimated - measured| per ~30 s row, as % of the profile's mean power\n")
    header = f"{'model':34s} {'mean |energy err|':>17s} {'worst energy err':>17s} {'mean row err':>13s}"
    print(header)
    for label, model in models.items():
        energy_errors, row_errors = [], []
        for _, tdp, pts, _ in profiles:
            measured = sum(p * d for _, p, d in pts)
            estimated = sum(tdp * model(l) * d for l, _, d in pts)
            energy_errors.append((estimated - measured) / measured)
            mean_power = measured / sum(d for _, _, d in pts)
            row_errors.append(sum(abs(tdp * model(l) - p) for l, p, _ in pts) / len(pts) / mean_power)
        mean_abs = sum(abs(x) for x in energy_errors) / len(energy_errors)
        worst = max(energy_errors, key=abs)
        mean_row = sum(row_errors) / len(row_errors)
        print(f"{label:34s} {mean_abs * 100:16.1f}% {worst * 100:+16.1f}% {mean_row * 100:12.1f}%")
    print("\nper profile, fitted TDP*k*L:")
    for name, tdp, pts, _ in profiles:
        measured = sum(p * d for _, p, d in pts)
        estimated = sum(tdp * k * l * d for l, _, d in pts)
        print(f"  {name:42s} TDP {tdp:5.0f} W  energy error {(estimated - measured) / measured * 100:+6.1f}%")
    # The default when a CPU is not in the table: full-load package power per logical CPU.
    per_cpu = sorted(max(p for _, p, _ in pts) / cpus for _, _, pts, cpus in profiles if cpus)
    print("\nfull-load power per logical CPU (all_cores runs): "
          + ", ".join(f"{w:.1f}" for w in per_cpu) + f" W; median {per_cpu[len(per_cpu) // 2]:.1f} W")


if __name__ == "__main__":
    main()
