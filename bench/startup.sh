#!/usr/bin/env bash
# Start-up time of the commands that do not train, `greentune` (built without LibTorch) against
# greentune-train (the same commands, linked with LibTorch: what every command cost before the
# split). Both run side by side in one invocation per command, on the same small study store.
#
#   bench/startup.sh [BUILD_DIR]       (env: RUNS=30 WARMUP=3 BASELINE=/path/to/another/greentune)
#
# BASELINE adds a third arm, e.g. an older `greentune` copied aside, to compare before and after.
# Uses hyperfine (Debian package; scripts/bootstrap bench) without a shell in between (-N); without
# hyperfine, a loop that alternates the arms and takes the median. Wall time on these shared 2-core
# machines depends on the load (the load average is printed before and after); the CPU time
# (user + sys, mean) depends on it much less, and the instruction counts (valgrind's callgrind,
# where installed; the dynamic loader's work included) not at all: compare those across runs.
set -euo pipefail
build=${1:-build}
runs=${RUNS:-30}
warmup=${WARMUP:-3}
light=$build/greentune
heavy=$build/greentune-train
arms=("$light" "$heavy")
names=(greentune greentune-train)
if [[ -n ${BASELINE:-} ]]; then
  arms+=("$BASELINE")
  names+=(baseline)
fi
for exe in "${arms[@]}"; do
  [[ -x $exe ]] || { echo "startup: no $exe: build it first (cmake --build $build --target greentune_cli)" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/b.toml" <<TOML
[study]
name = "b"
storage = "sqlite:$tmp/s.db"
strategy = "random"
objective = "branin"
rounds = 5
seed = 1
TOML
"$light" tune "$tmp/b.toml" --no-energy >/dev/null

# `tune` of a study whose rounds are done: its start-up, the store opened and nothing to run.
commands=("--version" "--help" "info" "meters" "measure -- true"
  "studies --storage sqlite:$tmp/s.db" "trials b --storage sqlite:$tmp/s.db"
  "report $tmp/s.db --out $tmp/report" "tune $tmp/b.toml --no-energy")
echo "startup: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg) before"

# One command's runs: a line "median min max cpu" (milliseconds; cpu = mean user + sys) per arm.
time_arms() {
  local args=$1
  if command -v hyperfine >/dev/null; then
    local exe list=()
    for exe in "${arms[@]}"; do list+=("$exe $args"); done
    hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-json "$tmp/h.json" \
      "${list[@]}" >/dev/null 2>&1
    python3 - "$tmp/h.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    cpu = (r["user"] + r["system"]) * 1e3
    print(f"{r['median'] * 1e3:.1f} {r['min'] * 1e3:.1f} {r['max'] * 1e3:.1f} {cpu:.1f}")
PY
  else
    # Each run's wall and CPU time from wait4(), the arms alternating.
    python3 - "$warmup" "$runs" "$args" "${arms[@]}" <<'PY'
import os, shlex, statistics, subprocess, sys, time
warmup, runs, args, arms = int(sys.argv[1]), int(sys.argv[2]), shlex.split(sys.argv[3]), sys.argv[4:]
wall = {a: [] for a in arms}
cpu = {a: [] for a in arms}
for i in range(warmup + runs):
    for arm in arms:
        start = time.perf_counter()
        child = subprocess.Popen([arm] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)
        if i >= warmup:
            wall[arm].append((time.perf_counter() - start) * 1e3)
            cpu[arm].append((usage.ru_utime + usage.ru_stime) * 1e3)
for arm in arms:
    w = wall[arm]
    print(f"{statistics.median(w):.1f} {min(w):.1f} {max(w):.1f} {statistics.mean(cpu[arm]):.1f}")
PY
  fi
}

# Instructions of one run of `exe args`, the dynamic loader's included; "-" without valgrind.
instructions() {
  local exe=$1 args=$2
  if ! command -v valgrind >/dev/null; then
    echo "-"
    return
  fi
  # shellcheck disable=SC2086  # args are words on purpose
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" $args >/dev/null 2>"$tmp/vg.err" || true
  local count
  count=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/vg.err")
  python3 -c "print(f'{$count / 1e6:.1f}M')"
}

header="$(printf '%-28s' command)"
for name in "${names[@]}"; do header+="$(printf ' | %-34s' "$name ms: median (min-max) cpu")"; done
header+=" | ratio | greentune instructions"
echo "$header"
for args in "${commands[@]}"; do
  mapfile -t rows < <(time_arms "$args")
  line="$(printf '%-28s' "${args//$tmp\//}")"
  for row in "${rows[@]}"; do
    read -r median min max cpu <<<"$row"
    line+="$(printf ' | %-34s' "$median ($min-$max) $cpu")"
  done
  read -r light_median _ <<<"${rows[0]}"
  read -r heavy_median _ <<<"${rows[1]}"
  line+=" | $(python3 -c "print(f'{$light_median / $heavy_median:.3f}x')")"
  line+=" | $(instructions "$light" "$args")"
  echo "$line"
done
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
if [[ -x /usr/bin/time ]]; then
  echo "peak RSS of --version: greentune $(rss "$light" --version) KiB, greentune-train $(rss "$heavy" --version) KiB"
fi
echo "startup: $runs runs each ($(command -v hyperfine >/dev/null && echo hyperfine -N || echo alternating loop)), load average $(cut -d' ' -f1-3 /proc/loadavg) after"
