#!/usr/bin/python3
"""The Optuna side of issue 9's pruning benchmark: Optuna 3.1 TPE with HyperbandPruner (or no
pruner) tuning the paper's SimpleCNN (or DensePoly) on FashionMNIST in python3-torch, trained the
way greentune's trainer does it, with joules measured per epoch the way greentune would.

What matches greentune's `train` objective (src/greentune/nn): the networks (SimpleCNN: two
conv 3x3 / BatchNorm / ReLU / MaxPool blocks of 3 and 9 channels, then Linear 441->392->196->10;
DensePoly: Linear 784->392->196->10, no activations, as in the paper), images as float / 255,
Adam with the proposed lr, beta1 and beta2, cross-entropy, a seeded random training subset with
10 % carved off for validation, one step = one epoch, the trial's value = its best validation
accuracy. The search space is examples/quick.toml's: lr log-uniform in [1e-4, 1e-2], beta1 in
[0.5, 0.99], beta2 in [0.8, 0.999].

Energy, per epoch (training plus validation), the same two ways greentune reads it:
- measured: the RAPL package (and dram) counters in /sys/class/powercap when readable, with
  counter wraps handled; machine-wide, like greentune's powercap source;
- estimated, when no counter is readable (VMs, containers): this process's CPU seconds times a
  power per logical CPU (--watts-per-cpu: the figure `greentune meters` prints for this machine,
  5.4 W when the CPU is not in its TDP table) plus resident memory at 0.375 W/GB, greentune's
  estimate model.
The output says which one was used. To cross-check the total, run the script under
`greentune measure --json=out.json -- /usr/bin/python3 bench/pruning_vs_optuna.py ...`.

Prints progress to stderr and one JSON document to stdout (or --json FILE): every trial (state,
per-epoch validation accuracy and joules), totals (joules in complete and pruned trials), the
best accuracy, the best-so-far curve against cumulative joules, and for each --target the joules
spent until some epoch first reached that validation accuracy (null if never).

Quick check (86 CPU seconds; 5.5 minutes wall on the shared 2-core build machine at load 18):
  /usr/bin/python3 bench/pruning_vs_optuna.py --subset 3000 --trials 6 --epochs 3
The issue's comparison (30 rounds; run it once with --pruner none too):
  /usr/bin/python3 bench/pruning_vs_optuna.py --subset 20000 --trials 30 --epochs 9
"""
import argparse
import glob
import json
import math
import os
import resource
import sys
import time

import numpy as np
import optuna
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_vs_pytorch import read_idx, simple_cnn  # noqa: E402  (same network, same reader)

DRAM_WATTS_PER_GB = 3.0 / 8.0  # greentune's (and CodeCarbon's) RAM figure


def dense_poly():
    # DensePoly with 3 linear layers: widths floor(784 / 2^k) for k = 1, 2, then the 10 classes.
    return nn.Sequential(nn.Flatten(start_dim=1), nn.Linear(784, 392), nn.Linear(392, 196),
                         nn.Linear(196, 10))


class RaplMeter:
    """Package and dram counters of /sys/class/powercap (intel-rapl), microjoules, wraps handled."""
    kind = "measured"

    def __init__(self, root="/sys/class/powercap"):
        self.zones = []
        for zone in sorted(glob.glob(f"{root}/intel-rapl:*")):
            try:
                with open(f"{zone}/name") as f:
                    name = f.read().strip()
                if not (name.startswith("package") or name == "dram"):
                    continue  # core/uncore are inside the package figure
                with open(f"{zone}/max_energy_range_uj") as f:
                    wrap = int(f.read())
                with open(f"{zone}/energy_uj") as f:
                    int(f.read())  # readable? (root-only on many kernels)
            except (OSError, ValueError):
                continue
            self.zones.append((zone, wrap))
        self.method = f"RAPL powercap, {len(self.zones)} zones"

    def usable(self):
        return bool(self.zones)

    def read(self):
        values = []
        for zone, _ in self.zones:
            with open(f"{zone}/energy_uj") as f:
                values.append(int(f.read()))
        return values

    def joules(self, start, end):
        total = 0
        for (_, wrap), a, b in zip(self.zones, start, end):
            total += (b - a) if b >= a else (wrap - a + b)
        return total / 1e6


class CpuTimeEstimate:
    """greentune's estimate: CPU seconds x watts per logical CPU + resident GB x 0.375 W."""
    kind = "estimated"

    def __init__(self, watts_per_cpu):
        self.watts_per_cpu = watts_per_cpu
        self.method = (f"estimate: process CPU seconds x {watts_per_cpu} W per logical CPU + "
                       f"resident memory x {DRAM_WATTS_PER_GB} W/GB (no readable RAPL counter)")

    def read(self):
        with open("/proc/self/statm") as f:
            resident_pages = int(f.read().split()[1])
        return (time.process_time(), time.monotonic(),
                resident_pages * os.sysconf("SC_PAGE_SIZE") / 1e9)

    def joules(self, start, end):
        cpu = end[0] - start[0]
        wall = end[1] - start[1]
        gigabytes = (start[2] + end[2]) / 2
        return cpu * self.watts_per_cpu + gigabytes * DRAM_WATTS_PER_GB * wall


def load_data(data_dir, subset, validation_fraction, seed):
    images = read_idx(f"{data_dir}/train-images-idx3-ubyte.gz")
    labels = read_idx(f"{data_dir}/train-labels-idx1-ubyte.gz")
    order = np.random.RandomState(seed).permutation(len(labels))
    if subset:
        order = order[:subset]
    n_validation = int(round(len(order) * validation_fraction))
    def tensors(idx):
        x = torch.from_numpy(images[idx].copy()).unsqueeze(1).float().div(255)
        return x, torch.from_numpy(labels[idx].copy()).long()
    return tensors(order[n_validation:]), tensors(order[:n_validation])


def accuracy(model, x, y, batch=2048):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def joules_to_reach(trials, target):
    """Joules of every epoch run, in order, until an epoch's validation accuracy >= target."""
    spent = 0.0
    for t in trials:
        for value, joules in zip(t["validation_accuracy"], t["epoch_joules"]):
            spent += joules
            if not math.isnan(value) and value >= target:
                return spent
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--model", choices=["simplecnn", "densepoly"], default="simplecnn")
    parser.add_argument("--pruner", choices=["hyperband", "none"], default="hyperband")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=9, help="max_step: the full length")
    parser.add_argument("--min-step", type=int, default=1)
    parser.add_argument("--reduction", type=int, default=3)
    parser.add_argument("--subset", type=int, default=20000, help="training images (0: all)")
    parser.add_argument("--validation", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--max-joules", type=float, default=0,
                        help="stop starting trials once this many joules are spent (0: none)")
    parser.add_argument("--watts-per-cpu", type=float, default=5.4,
                        help="the estimate's power per busy logical CPU (greentune's default)")
    parser.add_argument("--target", type=float, action="append",
                        help="validation accuracy to report joules-to-reach for (repeatable)")
    parser.add_argument("--json", help="write the JSON here instead of stdout")
    args = parser.parse_args()
    if args.epochs < 1 or args.trials < 1 or not 0 < args.validation < 1:
        parser.error("expected --epochs >= 1, --trials >= 1 and 0 < --validation < 1")
    if args.pruner == "hyperband" and args.epochs <= args.min_step:
        parser.error("hyperband needs --epochs > --min-step")

    torch.set_num_threads(args.threads)
    meter = RaplMeter()
    if not meter.usable():
        meter = CpuTimeEstimate(args.watts_per_cpu)
    (train_x, train_y), (val_x, val_y) = load_data(args.data_dir, args.subset, args.validation,
                                                   args.seed)
    build = simple_cnn if args.model == "simplecnn" else dense_poly
    criterion = nn.CrossEntropyLoss()
    records = []

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 1e-2, log=True)
        beta1 = trial.suggest_float("beta1", 0.5, 0.99)
        beta2 = trial.suggest_float("beta2", 0.8, 0.999)
        torch.manual_seed(args.seed + trial.number)
        model = build()
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(beta1, beta2))
        record = {"number": trial.number, "params": trial.params, "state": "running",
                  "validation_accuracy": [], "epoch_joules": [], "seconds": 0.0}
        records.append(record)
        generator = torch.Generator().manual_seed(args.seed + trial.number)
        for epoch in range(1, args.epochs + 1):
            start, wall = meter.read(), time.monotonic()
            model.train()
            order = torch.randperm(len(train_x), generator=generator)
            for i in range(0, len(order), args.batch_size):
                idx = order[i:i + args.batch_size]
                optimizer.zero_grad()
                loss = criterion(model(train_x[idx]), train_y[idx])
                if not torch.isfinite(loss):
                    break
                loss.backward()
                optimizer.step()
            value = accuracy(model, val_x, val_y) if torch.isfinite(loss) else float("nan")
            record["epoch_joules"].append(meter.joules(start, meter.read()))
            record["seconds"] += time.monotonic() - wall
            record["validation_accuracy"].append(value)
            if math.isnan(value):
                record["state"] = "diverged"
                return float("nan")
            trial.report(value, epoch)
            if trial.should_prune():
                record["state"] = "pruned"
                raise optuna.TrialPruned()
        record["state"] = "complete"
        return max(record["validation_accuracy"])

    def stop_at_budget(study, _trial):
        spent = sum(sum(r["epoch_joules"]) for r in records)
        last = records[-1]
        print(f"trial {last['number']:>3} {last['state']:<9} epochs {len(last['epoch_joules'])} "
              f"acc {max(last['validation_accuracy'], default=float('nan')):.4f} "
              f"{sum(last['epoch_joules']):8.1f} J (study {spent:9.1f} J)", file=sys.stderr)
        if args.max_joules and spent >= args.max_joules:
            study.stop()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pruner = (optuna.pruners.HyperbandPruner(min_resource=args.min_step, max_resource=args.epochs,
                                             reduction_factor=args.reduction)
              if args.pruner == "hyperband" else optuna.pruners.NopPruner())
    study = optuna.create_study(direction="maximize", pruner=pruner,
                                sampler=optuna.samplers.TPESampler(seed=args.seed))
    started = time.monotonic()
    study.optimize(objective, n_trials=args.trials, callbacks=[stop_at_budget])

    curve, spent, best = [], 0.0, float("-inf")
    for r in records:
        for value, joules in zip(r["validation_accuracy"], r["epoch_joules"]):
            spent += joules
            if not math.isnan(value) and value > best:
                best = value
                curve.append({"joules": spent, "best_validation_accuracy": best})
    by_state = {}
    for r in records:
        entry = by_state.setdefault(r["state"], {"trials": 0, "joules": 0.0, "epochs": 0})
        entry["trials"] += 1
        entry["joules"] += sum(r["epoch_joules"])
        entry["epochs"] += len(r["epoch_joules"])
    result = {
        "tool": "optuna", "optuna": optuna.__version__, "torch": torch.__version__,
        "sampler": "TPESampler", "pruner": type(pruner).__name__,
        "model": args.model, "epochs": args.epochs, "min_step": args.min_step,
        "reduction": args.reduction, "subset": args.subset, "batch_size": args.batch_size,
        "threads": torch.get_num_threads(), "seed": args.seed,
        "energy": {"kind": meter.kind, "method": meter.method},
        "wall_seconds": time.monotonic() - started,
        "total_joules": spent, "by_state": by_state,
        "best_validation_accuracy": best if curve else None,
        "best_so_far": curve,
        "joules_to_reach": {f"{t:g}": joules_to_reach(records, t) for t in (args.target or [])},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "trials": records,
    }
    text = json.dumps(result, indent=1)
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(args.json + ".tmp", args.json)
    else:
        print(text)


if __name__ == "__main__":
    main()
