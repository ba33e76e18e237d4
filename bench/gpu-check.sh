#!/usr/bin/env bash
# greentune on an NVIDIA GPU, in one go: builds against a CUDA LibTorch, shows `greentune info
# --torch` and `greentune meters`, checks greentune's NVML joules against the driver's own energy
# counter for a GPU-bound command, and times SimpleCNN and DensePoly epochs against the same
# networks in PyTorch from Python (bench/train_vs_pytorch.py --device cuda), data on the GPU in both.
#
#   bench/gpu-check.sh [--dry-run] [--no-build]
#
# Needs an NVIDIA GPU, greentune's build dependencies (scripts/bootstrap build, libtorch-dev aside)
# and a CUDA PyTorch (docs/building.md). Knobs (environment):
#   PYTHON=python3        the Python whose torch is timed; greentune is built against its LibTorch
#                         (torch.utils.cmake_prefix_path) unless TORCH_PREFIX is given
#   TORCH_PREFIX=DIR      a LibTorch's CMake prefix instead (e.g. the unpacked LibTorch zip);
#                         CMAKE_PREFIX_PATH, when set, is passed on after it
#   BUILD=build-gpu       build folder (relative to the checkout)     OUT=out/gpu-check  results
#   DATA=DIR              FashionMNIST's four .gz files (default: Debian's dataset-fashion-mnist,
#                         else `greentune data fetch fashion-mnist` into OUT/data)
#   EPOCHS=3 RUNS=2       epochs per run (the first is warm-up, left out), alternating runs
#   BURN_SECONDS=15       length of the GPU-bound command of the NVML check
#   TRAIN_ARGS='...'      more `greentune train` options (e.g. --no-profile)
#   NVIDIA_SMI=nvidia-smi the driver's tool
# --dry-run prints the commands and runs none of them (no GPU needed). Exit status: 0 when every
# step ran and the NVML difference is within 5 %, 1 otherwise (each failure is named at the end),
# 2 for bad usage. Epoch times are reported, not judged.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
dry_run=0
build_it=1
for arg in "$@"; do
  case $arg in
    --dry-run) dry_run=1 ;;
    --no-build) build_it=0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown argument '$arg' (expected --dry-run, --no-build or --help)" >&2; exit 2 ;;
  esac
done
PYTHON=${PYTHON:-python3}
BUILD=${BUILD:-build-gpu}
[[ $BUILD == /* ]] || BUILD=$root/$BUILD
OUT=${OUT:-out/gpu-check}
[[ $OUT == /* ]] || OUT=$root/$OUT
EPOCHS=${EPOCHS:-3}
RUNS=${RUNS:-2}
BURN_SECONDS=${BURN_SECONDS:-15}
NVIDIA_SMI=${NVIDIA_SMI:-nvidia-smi}
read -r -a train_args <<<"${TRAIN_ARGS:-}"
greentune=$BUILD/greentune
failures=()

say() { printf 'gpu-check: %s\n' "$*"; }
die() { printf 'gpu-check: error: %s\n' "$*" >&2; exit 1; }
fail() { say "FAILED: $*"; failures+=("$*"); }
# run CMD...: shows it on the script's own stderr (fd 3: the command's output may be redirected to a
# file); runs it unless --dry-run
exec 3>&2
run() {
  { printf '+'; printf ' %q' "$@"; printf '\n'; } >&3
  ((dry_run)) || "$@"
}
# logged FILE CMD...: the same, with the command's stdout and stderr in FILE
logged() {
  local file=$1
  shift
  { printf '+'; printf ' %q' "$@"; printf ' >%q 2>&1\n' "$file"; } >&3
  ((dry_run)) || "$@" >"$file" 2>&1
}

# ---------------------------------------------------------------- 1. the GPU and Python's torch
torch_prefix=""
if ((dry_run)); then
  say "dry run: shows the commands, runs none (no GPU is looked for)"
else
  command -v "$NVIDIA_SMI" >/dev/null ||
    die "no NVIDIA driver ('$NVIDIA_SMI' not found): this check needs an NVIDIA GPU; --dry-run shows what it would run"
  gpus=$("$NVIDIA_SMI" --query-gpu=index,name,driver_version,compute_cap,power.limit --format=csv,noheader 2>&1) ||
    die "no NVIDIA GPU ($NVIDIA_SMI says: ${gpus:-nothing}): this check needs one; --dry-run shows what it would run"
  [[ -n $gpus ]] || die "no NVIDIA GPU listed by $NVIDIA_SMI: this check needs one"
  say "GPUs: $gpus"
  torch_facts=$("$PYTHON" -c 'import torch
print(torch.__version__, torch.version.cuda, torch.cuda.is_available(), torch._C._GLIBCXX_USE_CXX11_ABI,
      torch.utils.cmake_prefix_path)') ||
    die "$PYTHON cannot import torch: install a CUDA PyTorch (docs/building.md), or set PYTHON"
  read -r torch_version torch_cuda cuda_ok torch_abi torch_prefix <<<"$torch_facts"
  say "$PYTHON: torch $torch_version, CUDA $torch_cuda, GPU available: $cuda_ok, C++11 ABI: $torch_abi"
  [[ $cuda_ok == True ]] || die "$PYTHON's torch $torch_version sees no GPU (CUDA $torch_cuda): install a CUDA build"
  [[ -z ${TORCH_PREFIX:-} && $torch_abi != True ]] &&
    say "WARNING: this torch uses the pre-C++11 ABI: greentune will not link against it (docs/building.md: the ABI)"
fi
((dry_run)) || mkdir -p "$OUT"

# ---------------------------------------------------------------- 2. build
prefix=${TORCH_PREFIX:-${torch_prefix:-<torch.utils.cmake_prefix_path of $PYTHON>}}
generator=Ninja
command -v ninja >/dev/null || generator="Unix Makefiles"
configure=(cmake -S "$root" -B "$BUILD" -G "$generator" -DCMAKE_BUILD_TYPE=Release
  -DGREENTUNE_BUILD_TESTS=OFF -DGREENTUNE_BUILD_BENCH=OFF
  "-DCMAKE_PREFIX_PATH=$prefix${CMAKE_PREFIX_PATH:+;$CMAKE_PREFIX_PATH}")
# LibTorch's CMake files look for the CUDA toolkit; name it where it is, and the GPU's
# architecture, so that they need not detect it by compiling a probe.
nvcc=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
cuda_hints=()
[[ -n $nvcc ]] && cuda_hints=("-DCMAKE_CUDA_COMPILER=$nvcc")
if [[ -z ${TORCH_CUDA_ARCH_LIST:-} ]] && ((!dry_run)); then
  TORCH_CUDA_ARCH_LIST=$("$NVIDIA_SMI" --query-gpu=compute_cap --format=csv,noheader | sort -u | paste -sd';')
  export TORCH_CUDA_ARCH_LIST
fi
if ((build_it)); then
  log=$OUT/configure.txt
  if ! logged "$log" "${configure[@]}" "${cuda_hints[@]}"; then
    ((${#cuda_hints[@]})) || { tail -30 "$log"; die "configure failed (whole log: $log)"; }
    say "configure naming $nvcc failed ($log); again without it"
    rm -rf "$BUILD"
    log=$OUT/configure-2.txt
    logged "$log" "${configure[@]}" || { tail -30 "$log"; die "configure failed (whole log: $log)"; }
  fi
  logged "$OUT/build.txt" cmake --build "$BUILD" --target greentune_cli -j "$(nproc)" ||
    { tail -30 "$OUT/build.txt"; die "build failed (whole log: $OUT/build.txt)"; }
fi
((dry_run)) || [[ -x $greentune ]] || die "no $greentune (build it, or leave out --no-build)"

# ---------------------------------------------------------------- 3. what greentune sees
logged "$OUT/info.txt" "$greentune" info --torch || fail "greentune info --torch ($OUT/info.txt)"
logged "$OUT/meters.txt" "$greentune" meters || fail "greentune meters ($OUT/meters.txt)"
if ((!dry_run)); then
  cat "$OUT/info.txt" "$OUT/meters.txt"
  grep -q 'CUDA available' "$OUT/info.txt" || fail "greentune-train's LibTorch sees no GPU ($OUT/info.txt)"
fi

# ---------------------------------------------------------------- 4. NVML against the driver's counter
((dry_run)) || cat >"$OUT/burn.py" <<'PY'
# A GPU-bound command: float32 matrix products for SECONDS seconds.
import sys, time
import torch
seconds = float(sys.argv[1])
a = torch.randn(8192, 8192, device="cuda")
b = torch.randn(8192, 8192, device="cuda")
torch.cuda.synchronize()
end = time.monotonic() + seconds
while time.monotonic() < end:
    for _ in range(8):
        a @ b
    torch.cuda.synchronize()
PY
# The driver's total energy counter (mJ since the driver loaded), summed over the GPUs: greentune's
# NVML source reads every GPU too.
counter_mj() {
  "$NVIDIA_SMI" --query-gpu=total_energy_consumption --format=csv,noheader,nounits |
    awk '{ s += $1 } END { printf "%.0f\n", s }'
}
measure=("$greentune" measure --json="$OUT/measure_burn.json" -- "$PYTHON" "$OUT/burn.py" "$BURN_SECONDS")
if ((dry_run)); then
  run "$NVIDIA_SMI" --query-gpu=total_energy_consumption --format=csv,noheader,nounits
  run "${measure[@]}"
else
  t0=$EPOCHREALTIME
  before=$(counter_mj)
  "${measure[@]}" >"$OUT/measure_burn.txt" 2>&1 || fail "greentune measure of the GPU burn ($OUT/measure_burn.txt)"
  after=$(counter_mj)
  t1=$EPOCHREALTIME
  "$PYTHON" - "$OUT/measure_burn.json" "$before" "$after" "$t0" "$t1" >"$OUT/nvml_check.txt" <<'PY' ||
import json, sys
m = json.load(open(sys.argv[1]))
before, after, t0, t1 = (float(x) for x in sys.argv[2:6])
nvml = [d for d in m.get("domains", []) if d.get("source") == "nvml"]
ours = sum(d.get("joules", 0) for d in nvml)
driver = (after - before) / 1000.0
print(f"greentune: {ours:.1f} J over its {m.get('seconds', 0):.2f} s window "
      f"({'; '.join(d.get('name', '?') + ': ' + str(d.get('method', '')) for d in nvml) or 'no NVML domain'})")
print(f"driver counter (nvidia-smi total_energy_consumption): {driver:.1f} J over {t1 - t0:.2f} s "
      "(read just before and after greentune, so its window is inside)")
if not nvml or not driver:
    print("NVML check: no figure to compare")
    sys.exit(1)
diff = (ours - driver) / driver
print(f"NVML check: greentune vs driver {100 * diff:+.2f} %")
sys.exit(0 if abs(diff) <= 0.05 else 1)
PY
    fail "NVML joules differ from the driver's counter by more than 5 %, or are missing ($OUT/nvml_check.txt)"
  cat "$OUT/nvml_check.txt"
fi

# ---------------------------------------------------------------- 5. epochs against PyTorch
data=${DATA:-}
if [[ -z $data && -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then
  data=/usr/share/datasets/fashion-mnist
fi
if [[ -z $data ]]; then
  data=$OUT/data
  run "$greentune" data fetch fashion-mnist --dir "$data" || fail "greentune data fetch fashion-mnist"
fi
((dry_run)) || : >"$OUT/epochs.tsv"
for model in simplecnn densepoly; do
  for ((i = 1; i <= RUNS; i++)); do
    ours=$OUT/train_$model.$i
    theirs=$OUT/python_$model.$i
    logged "$ours.txt" "$greentune" train --model "$model" --dataset fashion-mnist --data-dir "$data" \
      --device cuda --epochs "$EPOCHS" --batch-size 512 --validation 0 --json="$ours.json" \
      "${train_args[@]}" || { fail "greentune train $model ($ours.txt)"; continue; }
    logged "$theirs.txt" "$PYTHON" "$here/train_vs_pytorch.py" --device cuda --model "$model" \
      --data-dir "$data" --epochs "$EPOCHS" --batch-size 512 || { fail "python $model ($theirs.txt)"; continue; }
    ((dry_run)) && continue
    "$PYTHON" - "$model" "$ours.json" "$theirs.txt" >>"$OUT/epochs.tsv" <<'PY' || fail "reading the $model epochs"
import json, sys
model, ours = sys.argv[1], json.load(open(sys.argv[2]))
theirs = json.loads(open(sys.argv[3]).read().strip().splitlines()[-1])
print(model, " ".join(str(e["train_seconds"]) for e in ours["epochs"]),
      " ".join(str(s) for s in theirs["epoch_seconds"]), sep="\t")
PY
  done
done
if ((dry_run)); then
  say "dry run: done"
  exit 0
fi
"$PYTHON" - "$OUT/epochs.tsv" >"$OUT/summary.txt" <<'PY' || fail "the epoch summary"
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
print("Train seconds per epoch on the GPU: FashionMNIST's 60k images, batch 512, each run's first "
      "epoch left out (warm-up); median (min-max) over the alternating runs")
for model in dict.fromkeys(r[0] for r in rows):
    ours = [float(x) for r in rows if r[0] == model for x in r[1].split()[1:]]
    theirs = [float(x) for r in rows if r[0] == model for x in r[2].split()[1:]]
    if not ours or not theirs:
        print(f"  {model}: no epoch after the first (EPOCHS >= 2 is needed)")
        continue
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"  {model:10s} greentune {a:.3f} s ({min(ours):.3f}-{max(ours):.3f})   PyTorch from Python "
          f"{b:.3f} s ({min(theirs):.3f}-{max(theirs):.3f})   greentune/python {a / b:.2f}x")
PY
cat "$OUT/summary.txt"
say "results in $OUT"
if ((${#failures[@]})); then
  say "${#failures[@]} step(s) failed:"
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
