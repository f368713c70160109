#!/usr/bin/env bash
# run.sh - clv's benchmark: throughput and peak memory of `clv simulate`,
# `clv summary` (and `clv fit` / `clv predict` when they exist) on simulated
# order logs, next to `wc -l` on the same file as the physical reference.
# Prints a table; asserts nothing. Run from anywhere:
#   bench/run.sh                      # 1M and 10M customers
#   SIZES="100000" bench/run.sh       # other sizes
# Environment: SIZES (customer counts, default "1000000 10000000"),
# BUILD (default build/release), DATA (default build/bench-data),
# REPEAT (timed runs per step after a warm-up, best kept; default 1).
# See bench/README.md for what the columns mean.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000000 10000000"}
BUILD=${BUILD:-build/release}
DATA=${DATA:-build/bench-data}
REPEAT=${REPEAT:-1}
SEED=1
BASE_CUSTOMERS=10000 # small log whose peak memory is the fixed part

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  echo "configuring a Release build in $BUILD ..." >&2
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
fi
# Quiet build; its log is shown only when it fails.
if ! log=$(cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)" \
  --target clv bench_rusage 2>&1); then
  printf '%s\n' "$log" >&2
  exit 1
fi
CLV=$BUILD/clv
RUSAGE=$BUILD/bench/bench_rusage
mkdir -p "$DATA"

has_command() { "$CLV" help 2>/dev/null | grep -q "^  $1 "; }

# measure ARGS... : runs the command (1 warm-up + REPEAT timed runs) and sets
# WALL CPU RSS_KB EXIT from the fastest timed run.
measure() {
  local best="" line
  "$RUSAGE" -- "$@" >/dev/null || true
  for ((k = 0; k < REPEAT; k++)); do
    line=$("$RUSAGE" -- "$@") || true
    if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN {
         split(a, x, /[= ]/); split(b, y, /[= ]/); exit !(x[2] < y[2]) }'; then
      best=$line
    fi
  done
  WALL=$(sed 's/.*wall_s=\([^ ]*\).*/\1/' <<<"$best")
  CPU=$(awk -v l="$best" 'BEGIN { split(l, x, /[= ]/); print x[4] + x[6] }')
  RSS_KB=$(sed 's/.*maxrss_kb=\([^ ]*\).*/\1/' <<<"$best")
  EXIT=$(sed 's/.*exit=\([^ ]*\).*/\1/' <<<"$best")
}

# row N STEP BYTES ROWS [REFERENCE_MBS [BASE_KB]]: prints one table line from
# the last measure(). BYTES/ROWS are the input (or output) size the rates
# refer to; BASE_KB, the fixed part of the memory, for the B/c+base column.
row() {
  local n=$1 step=$2 bytes=$3 rows=$4 ref=${5:-} base=${6:-0}
  if [ "$EXIT" != 0 ]; then
    printf '%-10s %-18s failed with exit code %s\n' "$n" "$step" "$EXIT"
    return
  fi
  awk -v n="$n" -v step="$step" -v wall="$WALL" -v cpu="$CPU" -v b="$bytes" \
    -v rows="$rows" -v kb="$RSS_KB" -v base="$base" \
    -v nb="$BASE_CUSTOMERS" -v ref="$ref" 'BEGIN {
      w = wall > 0.0005 ? wall : 0.0005
      mbs = b / w / 1e6
      per = (base > 0 && n > nb) ? sprintf("%.0f", (kb - base) * 1024 / (n - nb)) : "-"
      vs = ref != "" ? sprintf("%.2f", mbs / ref) : "-"
      printf "%-10s %-18s %8.2f %7.2f %8.0f %8.2f %9.1f %8.1f %8s %7s\n",
        n, step, wall, cpu, mbs, rows / w / 1e6, kb / 1024, kb * 1024 / n,
        per, vs }'
}

simulate_to() { # N FILE
  "$CLV" simulate --customers "$1" --seed "$SEED" --start 2024-01-01 \
    --weeks 78 -q -o "$2"
}

echo "clv benchmark - clv $("$CLV" --version | awk '{print $2}'), $(date -u +%Y-%m-%d)"
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
mem=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
echo "machine: $(nproc 2>/dev/null || echo '?') CPUs, ${cpu:-unknown CPU}, ${mem:-? GB} RAM, $(uname -sr)"
echo "data: BG/NBD + Gamma-Gamma, CDNOW parameters, 78 weeks, births over 12 weeks, seed $SEED"
echo

# The fixed part of summary's memory: its peak on a small log.
base_file=$DATA/orders-$BASE_CUSTOMERS.csv
[ -s "$base_file" ] || simulate_to "$BASE_CUSTOMERS" "$base_file"
measure "$CLV" summary "$base_file" -o /dev/null
BASE_KB=$RSS_KB
echo "fixed part: clv summary on $BASE_CUSTOMERS customers peaks at $(awk -v k="$BASE_KB" 'BEGIN { printf "%.1f", k / 1024 }') MB"
echo

printf '%-10s %-18s %8s %7s %8s %8s %9s %8s %8s %7s\n' customers step \
  wall_s cpu_s MB/s Mrows/s peak_MB B/cust B/c+base "vs wc"
for n in $SIZES; do
  file=$DATA/orders-$n.csv
  [ -s "$file" ] || simulate_to "$n" "$file"
  bytes=$(stat -c %s "$file")
  rows=$(($(wc -l <"$file") - 1))

  measure "$CLV" simulate --customers "$n" --seed "$SEED" --start 2024-01-01 \
    --weeks 78 -q -o /dev/null
  row "$n" "simulate" "$bytes" "$rows"

  # wc -l is cheap and its figure is the yardstick: best of at least 3.
  REPEAT=$((REPEAT > 3 ? REPEAT : 3)) measure wc -l "$file"
  wc_mbs=$(awk -v b="$bytes" -v w="$WALL" 'BEGIN { print b / (w > 0.0005 ? w : 0.0005) / 1e6 }')
  row "$n" "wc -l" "$bytes" "$rows" "$wc_mbs"

  measure "$CLV" summary "$file" -o /dev/null
  row "$n" "summary" "$bytes" "$rows" "$wc_mbs" "$BASE_KB"

  summary=$DATA/summary-$n-week.csv
  if has_command fit; then
    [ -s "$summary" ] || "$CLV" summary "$file" --unit week -o "$summary" 2>/dev/null
    sbytes=$(stat -c %s "$summary")
    measure "$CLV" fit "$summary" --model bgnbd --unit week -o "$DATA/bgnbd-$n.json"
    row "$n" "fit bgnbd" "$sbytes" "$n"
    measure "$CLV" fit "$summary" --model gg --unit week -o "$DATA/gg-$n.json"
    row "$n" "fit gg" "$sbytes" "$n"
    if has_command predict && [ -s "$DATA/bgnbd-$n.json" ]; then
      measure "$CLV" predict --model "$DATA/bgnbd-$n.json" \
        --spend "$DATA/gg-$n.json" "$summary" -o /dev/null
      row "$n" "predict" "$sbytes" "$n"
    fi
  fi
done
echo
has_command fit || echo "note: clv fit / clv predict do not exist yet: skipped."
echo "reference: Python lifetimes' summary_data_from_transaction_data needs 7.4 s"
echo "(plus reading the CSV) for the 1M-customer log on this machine (issue 2)."
echo "goals: summary MB/s >= 1/3 of wc -l ('vs wc' >= 0.33);"
echo "       summary memory < 100 bytes per customer above the fixed part (B/c+base)."
