#!/usr/bin/env bash
# demo.sh - the main job, on data clv makes itself: simulate a shop's order
# log, then run the whole job on it (summary -> BG/NBD + Gamma-Gamma ->
# predictions and CLV). When the shared CDNOW data is beside the project, the
# same job runs on the real CDNOW log too. Output: demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
CLV=build/release/clv
OUT=demo-out
DATA=${CLV_DATA_DIR:-../shared/data}
mkdir -p "$OUT"
echo "== simulating a shop: 20,000 customers over 78 weeks -> $OUT/orders.csv"
$CLV simulate --customers 20000 --seed 7 --start 2024-01-01 --weeks 78 \
  --refunds 0.03 -o "$OUT/orders.csv"
echo
$CLV run "$OUT/orders.csv" --margin 0.3 -o "$OUT/shop"
if [ -f "$DATA/lifetimes/CDNOW_master.txt" ]; then
  echo
  echo "== the real CDNOW log (23,570 customers, 1997-01 .. 1998-06)"
  $CLV run "$DATA/lifetimes/CDNOW_master.txt" --until 1998-06-30 --margin 0.3 \
    -o "$OUT/cdnow"
else
  echo "(shared CDNOW data not found at $DATA: skipping the real-data run)"
fi
