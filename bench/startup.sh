#!/usr/bin/env bash
# Start-up time of the commands that do not train, `greentune` (built without LibTorch) against
# greentune-train (the same commands, linked with LibTorch: what every command cost before the
# split). Both run side by side in one invocation per command, on the same small study store.
#
#   bench/startup.sh [BUILD_DIR]       (env: RUNS=30 WARMUP=3)
#
# Uses hyperfine (Debian package; scripts/bootstrap bench) without a shell in between (-N); without
# hyperfine, a loop that alternates the two and takes the median. Prints the machine's load average
# before and after: these 2-core machines are shared, and the figures are only as quiet as they were.
set -euo pipefail
build=${1:-build}
runs=${RUNS:-30}
warmup=${WARMUP:-3}
light=$build/greentune
heavy=$build/greentune-train
for exe in "$light" "$heavy"; do
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

commands=("--version" "meters" "studies --storage sqlite:$tmp/s.db" "trials b --storage sqlite:$tmp/s.db")
echo "startup: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg) before"

# One command's runs: prints "median min max" in milliseconds for light then heavy.
time_pair() {
  local args=$1
  if command -v hyperfine >/dev/null; then
    hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-json "$tmp/h.json" \
      "$light $args" "$heavy $args" >/dev/null 2>&1
    python3 - "$tmp/h.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['median'] * 1e3:.1f} {r['min'] * 1e3:.1f} {r['max'] * 1e3:.1f}")
PY
  else
    local i exe t0 t1
    : >"$tmp/times"
    for ((i = 0; i < warmup + runs; i++)); do
      for exe in light heavy; do
        local path=$light; [[ $exe == heavy ]] && path=$heavy
        t0=$EPOCHREALTIME
        # shellcheck disable=SC2086  # args are words on purpose
        "$path" $args >/dev/null 2>&1 || true
        t1=$EPOCHREALTIME
        ((i >= warmup)) && echo "$exe $t0 $t1" >>"$tmp/times"
      done
    done
    python3 - "$tmp/times" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for exe in ("light", "heavy"):
    ms = [(float(b) - float(a)) * 1e3 for name, a, b in rows if name == exe]
    print(f"{statistics.median(ms):.1f} {min(ms):.1f} {max(ms):.1f}")
PY
  fi
}

printf '%-40s %28s %30s %7s\n' "command" "greentune ms: median (min-max)" "greentune-train ms: median (min-max)" "ratio"
for args in "${commands[@]}"; do
  mapfile -t rows < <(time_pair "$args")
  read -r lm lmin lmax <<<"${rows[0]}"
  read -r hm hmin hmax <<<"${rows[1]}"
  shown=${args//$tmp\//}
  printf '%-40s %28s %30s %7s\n' "$shown" "$lm ($lmin-$lmax)" "$hm ($hmin-$hmax)" \
    "$(python3 -c "print(f'{$lm / $hm:.3f}x')")"
done
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
if [[ -x /usr/bin/time ]]; then
  echo "peak RSS of --version: greentune $(rss "$light" --version) KiB, greentune-train $(rss "$heavy" --version) KiB"
fi
echo "startup: $runs runs each ($(command -v hyperfine >/dev/null && echo hyperfine -N || echo alternating loop)), load average $(cut -d' ' -f1-3 /proc/loadavg) after"
