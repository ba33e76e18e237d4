#!/bin/sh
# Side by side: greentune's multi-objective sampler (and random search) vs Optuna 3.1's
# NSGAIISampler and multi-objective TPESampler on ZDT1, ZDT2 and DTLZ2 (two objectives),
# median hypervolume (and its quartiles) after 40 and 80 evaluations over SEEDS seeds, every
# hypervolume computed by mobo_vs_optuna.py alike.
# Usage: bench/mobo_vs_optuna.sh [BUILD_DIR] (default build); SEEDS (10), EVALS (80),
# VARIABLES (6), PROBLEMS ("zdt1 zdt2 dtlz2"), OUT (mobo_vs_optuna.md) override; VARIANTS adds
# greentune runs with sampler options, e.g. VARIANTS="reference=given;quasi=sobol startup=10"
# (options of mobo_hypervolume_bench --trace, ';' between variants).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
seeds=${SEEDS:-10}
evals=${EVALS:-80}
variables=${VARIABLES:-6}
problems=${PROBLEMS:-zdt1 zdt2 dtlz2}
out=${OUT:-mobo_vs_optuna.md}
driver="$build/bench/mobo_hypervolume_bench"
[ -x "$driver" ] || { echo "mobo_vs_optuna: $driver not built (cmake --build $build --target mobo_hypervolume_bench)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
variants=${VARIANTS:-}
for p in $problems; do
  # Two programs at a time (the build machine has two cores): default and random, then variants.
  "$driver" --trace "$p" mobo "$seeds" "$evals" "$variables" > "$tmp/$p-mobo.json" &
  a=$!
  "$driver" --trace "$p" random "$seeds" "$evals" "$variables" > "$tmp/$p-random.json" &
  b=$!
  wait "$a"; wait "$b"
  i=0
  echo "$variants" | tr ';' '\n' | while read -r options; do
    [ -n "$options" ] || continue
    i=$((i + 1))
    # shellcheck disable=SC2086 # options are separate words on purpose
    "$driver" --trace "$p" mobo "$seeds" "$evals" "$variables" $options > "$tmp/$p-variant$i.json"
  done
done
/usr/bin/python3 "$here/mobo_vs_optuna.py" --seeds "$seeds" --evals "$evals" \
  --variables "$variables" --out "$out" "$tmp"/*.json
echo "written to $out"
