#!/usr/bin/env bash
# bench/gpu-check.sh, bench/startup.sh and bench/pruning_bench.sh where no GPU is: they parse (and pass shellcheck where it
# is installed); gpu-check's --dry-run shows every step and writes nothing; without a GPU, or with
# a bad argument, it stops with a message that says why, and a non-zero status.
# usage: bench_scripts_test.sh BENCH_DIR
set -uo pipefail
bench=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
check() {  # check DESCRIPTION CONDITION...
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; failed=1; fi
}

for script in gpu-check.sh startup.sh pruning_bench.sh; do
  check "$script parses" bash -n "$bench/$script"
  if command -v shellcheck >/dev/null; then
    check "$script passes shellcheck" shellcheck "$bench/$script"
  fi
done

# Regression: pruning_bench.sh still gave `--json FILE` after the CLI made it `--json=FILE`, and
# stopped at its first tune. Every bench script attaches result files with '='.
check "bench scripts attach --json/--csv files with '='" \
  bash -c '! grep -nE -- "--(json|csv) +[^-]" "$0"/*.sh' "$bench"

OUT=$tmp/out bash "$bench/gpu-check.sh" --dry-run >"$tmp/dry.out" 2>"$tmp/dry.err"
check "--dry-run exits 0" test $? -eq 0
for step in "cmake --build" "greentune info --torch" "greentune meters" "total_energy_consumption" \
  "greentune measure --json=" "train --model simplecnn" "train --model densepoly" \
  "train_vs_pytorch.py --device cuda --model simplecnn" "train_vs_pytorch.py --device cuda --model densepoly"; do
  check "--dry-run shows '$step'" grep -qF -- "$step" "$tmp/dry.err"
done
check "--dry-run writes nothing" test ! -e "$tmp/out"

OUT=$tmp/out NVIDIA_SMI=$tmp/no-such-tool bash "$bench/gpu-check.sh" >"$tmp/none.out" 2>"$tmp/none.err"
check "without a driver it exits 1" test $? -eq 1
check "without a driver it says so" grep -q "no NVIDIA driver" "$tmp/none.err"

OUT=$tmp/out NVIDIA_SMI=false bash "$bench/gpu-check.sh" >"$tmp/nogpu.out" 2>"$tmp/nogpu.err"
check "without a GPU it exits 1" test $? -eq 1
check "without a GPU it says so" grep -q "no NVIDIA GPU" "$tmp/nogpu.err"

bash "$bench/gpu-check.sh" --frobnicate >/dev/null 2>"$tmp/usage.err"
check "a bad argument exits 2" test $? -eq 2
check "a bad argument is named" grep -q -- "--frobnicate" "$tmp/usage.err"

exit $failed
