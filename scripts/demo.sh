#!/usr/bin/env bash
# demo.sh - the main job on data clv makes itself: simulate a shop's order log
# and summarise it per customer. Output goes to demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
CLV=build/release/clv
OUT=demo-out
mkdir -p "$OUT"
echo "== simulating a shop: 20,000 customers over 78 weeks -> $OUT/orders.csv"
$CLV simulate --customers 20000 --seed 7 --start 2024-01-01 --weeks 78 --refunds 0.03 -o "$OUT/orders.csv"
echo "== summarising per customer -> $OUT/summary.csv"
$CLV summary "$OUT/orders.csv" --unit week -o "$OUT/summary.csv"
head -n 6 "$OUT/summary.csv"
echo "... $(($(wc -l <"$OUT/summary.csv") - 1)) customers"
