#!/bin/bash
# Side by side: one epoch of the paper's SimpleCNN on the full FashionMNIST training set (60,000
# images, batch 512, Adam lr 1e-3, same thread count) with `greentune train` and with PyTorch from
# Python (bench/train_vs_pytorch.py, Debian's python3-torch). Runs alternate, RUNS of each, so
# machine noise hits both alike. Reports median (min-max) epoch seconds (the training loop only),
# peak RSS of the whole process (/usr/bin/time -v), the ratio of medians and the median of the
# paired ratios (each greentune run against the Python run right after it, which follows load
# changes better), achieved GFLOP/s, and the 1-minute load average seen before the runs: on a
# machine shared with other work, say which load a figure was measured under.
#
#   bench/train_vs_pytorch.sh [build-dir]      (env: RUNS=3 THREADS=2 PEAK_GFLOPS=200 EXTRA=1)
#
# EXTRA=1 also times the Python loop that slices in-memory tensors instead of a DataLoader
# (python-tensors), and the default Python loop with the short libgomp spin that greentune sets
# for itself (python-spin, GOMP_SPINCOUNT=300): not default settings, but what a tuned Python gets.
set -euo pipefail
build=${1:-build}
runs=${RUNS:-3}
threads=${THREADS:-2}
peak=${PEAK_GFLOPS:-200}
here=$(cd "$(dirname "$0")" && pwd)
greentune="$build/greentune"
[ -x "$greentune" ] || { echo "no $greentune: build greentune first (cmake --build $build --target greentune_cli)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

variants=(greentune python)
[ "${EXTRA:-0}" = 1 ] && variants+=(python-tensors python-spin)
for i in $(seq 1 "$runs"); do
  for v in "${variants[@]}"; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    case $v in
      greentune)
        /usr/bin/time -v -o "$tmp/time" "$greentune" train --model simplecnn --dataset fashion-mnist \
          --epochs 1 --validation 0 --threads "$threads" --json="$tmp/g.json" >"$tmp/out" 2>&1
        secs=$(jq '.epochs[0].train_seconds' "$tmp/g.json")
        acc=$(jq '.test_accuracy' "$tmp/g.json") ;;
      python|python-tensors|python-spin)
        loader=dataloader; [ $v = python-tensors ] && loader=tensors
        spin=(); [ $v = python-spin ] && spin=(env GOMP_SPINCOUNT=300)
        /usr/bin/time -v -o "$tmp/time" "${spin[@]}" /usr/bin/python3 "$here/train_vs_pytorch.py" \
          --threads "$threads" --loader $loader >"$tmp/out" 2>&1
        secs=$(tail -1 "$tmp/out" | jq '.epoch_seconds[0]')
        acc=$(tail -1 "$tmp/out" | jq '.test_accuracy') ;;
    esac
    echo "$v $secs $(rss_kb "$tmp/time") $acc $load" | tee -a "$tmp/results"
  done
done

/usr/bin/python3 - "$tmp/results" "$peak" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
peak = float(sys.argv[2])
# Forward FLOPs per image: conv 2*9*1*3*784 + 2*9*3*9*196, linear 2*(441*392 + 392*196 + 196*10);
# training counts forward + backward as 3x forward.
flops = 3 * (2*9*1*3*784 + 2*9*3*9*196 + 2*(441*392 + 392*196 + 196*10)) * 60000
med = {}
for name in dict.fromkeys(r[0] for r in rows):
    mine = [r for r in rows if r[0] == name]
    times = [float(r[1]) for r in mine]
    secs = statistics.median(times)
    rss = statistics.median(int(r[2]) for r in mine) / 1024
    acc = statistics.median(float(r[3]) for r in mine)
    med[name] = (secs, rss, times)
    print(f"{name:15s} median epoch {secs:6.2f} s ({min(times):.2f}-{max(times):.2f})  "
          f"peak RSS {rss:6.0f} MiB  test acc {acc:.4f}  "
          f"{flops / secs / 1e9:5.1f} GFLOP/s ({100 * flops / secs / 1e9 / peak:.0f}% of {peak:.0f})")
loads = [float(r[4]) for r in rows]
print(f"1-minute load average before the runs: {min(loads):.1f}-{max(loads):.1f} "
      f"(median {statistics.median(loads):.1f})")
g = med["greentune"]
for other in (n for n in med if n != "greentune"):
    o = med[other]
    paired = statistics.median(a / b for a, b in zip(g[2], o[2]))
    print(f"greentune / {other}: epoch time {g[0] / o[0]:.2f}x (paired runs: {paired:.2f}x), "
          f"peak RSS {g[1] / o[1]:.2f}x")
PY
