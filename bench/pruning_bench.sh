#!/usr/bin/env bash
# Issue 9's pruning benchmark: the same Bayesian study of SimpleCNN on FashionMNIST (examples/
# quick.toml's space, sampler and network) with and without ASHA, then Optuna 3.1 TPE +
# HyperbandPruner (bench/pruning_vs_optuna.py, python3-torch) on the same network with the
# unpruned study's joules as its budget. Prints a markdown table (bench/pruning_bench.py).
#
# Fairness on a shared machine: the two greentune arms are interleaved, CHUNK rounds at a time,
# alternating which arm goes first (ABBA), so both see the same spread of machine load; the load
# average before and after every chunk is kept in $OUT/loads.tsv. The Optuna arm runs after them
# (one process: it cannot be interleaved the same way). Energy is what greentune reads on the
# machine (RAPL or NVML when readable, else its labelled CPU-time estimate); the Python side reads
# it the same way (see pruning_vs_optuna.py), and the table says which.
#
# usage: bench/pruning_bench.sh [BUILD_DIR]
#   SUBSET=20000 ROUNDS=30 EPOCHS=9 CHUNK=5 THREADS=2 OPTUNA=1 SEED=1234 OUT=out/pruning-bench
#   PRUNER='kind = "asha"'
# PRUNER is the ASHA arm's [pruner] table: by default what a user writes, the kind alone, so the
# bench measures greentune's defaults (min_step, reduction, max_step = the epochs); give other
# keys to measure another setting (PRUNER=$'kind = "asha"\nreduction = 3').
# PRUNER_B, when given, adds a third greentune arm "asha-b" with that [pruner] table, interleaved
# with the other two (an ablation: PRUNER_B=$'kind = "asha"\nmin_peers = 0').
# SEED is the greentune studies' sampler seed (the data subset stays the same; Optuna keeps
# its own seed): one run per seed, OPTUNA=0, gives ASHA's spread over seeds.
# The defaults are the issue's size, the figures in docs/tuning.md: on the quiet 2-core build
# machine about 5 minutes per seed for the three greentune arms with PRUNER_B, and 2.5 for the
# Optuna arm. A smoke run: SUBSET=2000 ROUNDS=8 EPOCHS=3 CHUNK=4 (under a minute).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
subset=${SUBSET:-20000}
rounds=${ROUNDS:-30}
epochs=${EPOCHS:-9}
chunk=${CHUNK:-5}
threads=${THREADS:-2}
optuna=${OPTUNA:-1}
seed=${SEED:-1234}
pruner=${PRUNER:-'kind = "asha"'}
pruner_b=${PRUNER_B:-}
out=${OUT:-out/pruning-bench}
data_dir=${DATA_DIR:-/usr/share/datasets/fashion-mnist}
greentune="$build/greentune"
[[ -x $greentune ]] || { echo "pruning_bench: $greentune not built" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)

config() {  # config ARM PRUNER_TABLE
  cat <<TOML
[study]
name = "$1"
storage = "sqlite:$out/studies.db"
strategy = "bayes"
objective = "train"
rounds = $rounds
seed = $seed

[space.lr]
type = "float"
low = 1e-4
high = 1e-2
log = true

[space.beta1]
type = "float"
low = 0.5
high = 0.99

[space.beta2]
type = "float"
low = 0.8
high = 0.999

[sampler]
startup_rounds = 3

[train]
model = "simplecnn"
dataset = "fashion-mnist"
data_dir = "$data_dir"
subset = $subset
test_subset = 1000
epochs = $epochs
batch_size = 128
threads = $threads
$2
TOML
}
config none "" > "$out/none.toml"
config asha $'\n[pruner]\n'"$pruner" > "$out/asha.toml"
arms=(none asha)
if [[ -n $pruner_b ]]; then
  config asha-b $'\n[pruner]\n'"$pruner_b" > "$out/asha-b.toml"
  arms+=(asha-b)
fi

printf 'when\tarm\tuntil_round\tload_before\tload_after\n' > "$out/loads.tsv"
run_arm() {  # run_arm ARM UNTIL_ROUND
  local before after
  before=$(cut -d' ' -f1 /proc/loadavg)
  "$greentune" tune "$out/$1.toml" --rounds "$2" --json="$out/$1.json" >> "$out/$1.log" 2>&1
  after=$(cut -d' ' -f1 /proc/loadavg)
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%T)" "$1" "$2" "$before" "$after" >> "$out/loads.tsv"
}
started=$(date +%s)
k=0
for ((until = chunk; ; until += chunk)); do
  ((until > rounds)) && until=$rounds
  # ABBA: forwards on even chunks, backwards on odd ones.
  if ((k % 2 == 0)); then order=("${arms[@]}"); else order=(); for ((i = ${#arms[@]} - 1; i >= 0; i--)); do order+=("${arms[i]}"); done; fi
  for arm in "${order[@]}"; do run_arm "$arm" "$until"; done
  echo "pruning_bench: the greentune arms at $until/$rounds rounds ($(( $(date +%s) - started )) s)"
  k=$((k + 1))
  ((until == rounds)) && break
done

if [[ $optuna == 1 ]]; then
  budget=$(/usr/bin/python3 -c 'import json,sys; print(sum(t["joules"] for t in json.load(open(sys.argv[1]))["trials"]))' "$out/none.json")
  before=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/python3 "$here/pruning_vs_optuna.py" --data-dir "$data_dir" --subset "$subset" \
    --trials "$rounds" --epochs "$epochs" --threads "$threads" --max-joules "$budget" \
    --json="$out/optuna.json" 2> "$out/optuna.log"
  after=$(cut -d' ' -f1 /proc/loadavg)
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%T)" optuna "$rounds" "$before" "$after" >> "$out/loads.tsv"
fi
echo "pruning_bench: done in $(( $(date +%s) - started )) s"
/usr/bin/python3 "$here/pruning_bench.py" "$out" | tee "$out/summary.md"
