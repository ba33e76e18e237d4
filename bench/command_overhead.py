#!/usr/bin/python3
"""Overhead of a command trial beyond the program's own run time.

What a trial costs greentune: spawning the program in its own process group, reading its report
lines, the energy ledger's accounting, the store's bookkeeping (claim, finish, the history read
for the progress line) and the progress line itself. The program prints one report line and
exits (/bin/echo '{"score": X}').

Per repetition, side by side and interleaved: `greentune tune` with energy, `greentune tune
--no-energy`, and the same program started directly with posix_spawn and waited for. A tune run's per-trial time is
taken between the timestamps of its progress lines (round K0 to round N), so greentune's start-up
(LibTorch loading, opening the store and the energy sources) is not in it. The overhead is that
per-trial time minus the direct run's per-run time.

usage: bench/command_overhead.py [BUILD_DIR] [--reps 5] [--rounds 110] [--warmup 10]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

STUDY = """[study]
name = "overhead"
storage = "sqlite:o.db"
objective = "command"
strategy = "random"
[space]
x = { type = "float", low = 0.0, high = 1.0 }
[command]
argv = ["/bin/echo", "{{\\"score\\": {x}}}"]
metric = "score"
"""


def tune_per_trial(greentune, work, rounds, warmup, extra):
    for name in ("o.db", "o.db-wal", "o.db-shm"):
        if os.path.exists(os.path.join(work, name)):
            os.remove(os.path.join(work, name))
    subprocess.run(["rm", "-rf", os.path.join(work, "trials")], check=True)
    proc = subprocess.Popen([greentune, "tune", "s.toml", "--rounds", str(rounds)] + extra,
                            cwd=work, stdout=subprocess.PIPE, text=True)
    stamps = {}
    for line in proc.stdout:
        if line.startswith("round "):
            stamps[int(line.split()[1].split("/")[0])] = time.monotonic()
    if proc.wait() != 0:
        sys.exit(f"greentune tune failed ({proc.returncode})")
    return (stamps[rounds] - stamps[warmup]) / (rounds - warmup)


def direct_per_run(runs):
    # posix_spawn, as greentune starts programs (a bash loop's fork of bash costs more).
    actions = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]
    start = time.monotonic()
    for _ in range(runs):
        pid = os.posix_spawn("/bin/echo", ["/bin/echo", '{"score": 0.5}'], os.environ,
                             file_actions=actions)
        os.waitpid(pid, 0)
    return (time.monotonic() - start) / runs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", nargs="?", default="build")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=110)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    greentune = os.path.abspath(os.path.join(args.build, "greentune"))
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"# {args.reps} repetitions, rounds {args.warmup}..{args.rounds} timed, "
          f"{os.cpu_count()} CPUs, load average {load} at start")
    print(f"{'rep':>3} {'energy ms':>10} {'no-energy ms':>13} {'direct ms':>10} "
          f"{'overhead ms':>12} {'(no energy)':>12}")
    rows = []
    with tempfile.TemporaryDirectory() as work:
        with open(os.path.join(work, "s.toml"), "w") as f:
            f.write(STUDY)
        for rep in range(1, args.reps + 1):
            energy = tune_per_trial(greentune, work, args.rounds, args.warmup, [])
            plain = tune_per_trial(greentune, work, args.rounds, args.warmup, ["--no-energy"])
            direct = direct_per_run(args.rounds - args.warmup)
            row = [x * 1000 for x in (energy, plain, direct, energy - direct, plain - direct)]
            rows.append(row)
            print(f"{rep:>3} {row[0]:>10.1f} {row[1]:>13.1f} {row[2]:>10.1f} {row[3]:>12.1f} "
                  f"{row[4]:>12.1f}")
    for k, name in ((3, "with energy"), (4, "without energy")):
        values = sorted(r[k] for r in rows)
        print(f"overhead per trial {name}: median {statistics.median(values):.1f} ms "
              f"(min {values[0]:.1f}, max {values[-1]:.1f})")
    with open("/proc/loadavg") as f:
        print(f"# load average {' '.join(f.read().split()[:3])} at the end")


if __name__ == "__main__":
    main()
