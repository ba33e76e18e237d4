#!/bin/sh
# Side by side: greentune bayes and random vs Optuna 3.1 TPE (default) on branin and hartmann6,
# median simple regret after 10/20/30/50 evaluations over SEEDS seeds.
# Usage: bench/bo_vs_optuna.sh [BUILD_DIR] (default build); SEEDS, EVALS, OUT override.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
seeds=${SEEDS:-30}
evals=${EVALS:-50}
out=${OUT:-bo_vs_optuna.md}
driver="$build/bench/tune_regret_bench"
[ -x "$driver" ] || { echo "bo_vs_optuna: $driver not built (cmake --build $build --target tune_regret_bench)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in branin hartmann6; do
  for s in bayes random; do
    "$driver" --trace "$f" "$s" "$seeds" "$evals" > "$tmp/$f-$s.json" &
  done
  wait
done
/usr/bin/python3 "$here/bo_vs_optuna.py" --seeds "$seeds" --evals "$evals" --out "$out" "$tmp"/*.json
echo "written to $out"
