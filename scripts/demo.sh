#!/usr/bin/env bash
# demo.sh - the main job, on data clv makes itself: simulate a retail shop's
# order log (orders with products, channels and costs), run the whole job on
# it (summary -> model chosen on a holdout -> Gamma-Gamma -> predictions and
# CLV), then the business layer (segments, cohorts, products, reminders,
# acquisition budgets, what-ifs) and the HTML report. When the shared data
# sets are beside the project, the job runs on the real CDNOW and UCI Online
# Retail logs too. Output: demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc || echo 2)" >/dev/null
CLV=build/release/clv
OUT=demo-out
DATA=${CLV_DATA_DIR:-../shared/data}
mkdir -p "$OUT"
echo "== simulating a retail shop: 20,000 customers over 78 weeks -> $OUT/orders.csv"
$CLV simulate --customers 20000 --seed 7 --start 2024-01-01 --weeks 78 \
  --refunds 0.03 --retail -o "$OUT/orders.csv"
echo
$CLV run "$OUT/orders.csv" -o "$OUT/shop"
echo
echo "== the business layer (each command scores the log as clv run does)"
$CLV segment "$OUT/orders.csv" -o "$OUT/shop/segments"
$CLV cohort "$OUT/orders.csv" -o "$OUT/shop/cohorts" >"$OUT/shop/cohorts.txt"
echo "(cohort tables: $OUT/shop/cohorts.txt)"
$CLV products "$OUT/orders.csv" -q --min-support 0.001 -o "$OUT/shop/products"
$CLV remind "$OUT/orders.csv" -q --week-of 2025-06-23 -o "$OUT/shop/remind"
$CLV cac "$OUT/orders.csv" -q --spend search=40000,social=30000,ads=60000,referral=5000 \
  -o "$OUT/shop/cac"
$CLV whatif "$OUT/orders.csv" --retention +10% --frequency +5% --aov +5% \
  -o "$OUT/shop/whatif"
$CLV report "$OUT/orders.csv" -q -o "$OUT/shop/report.html"
$CLV report "$OUT/orders.csv" -q --lang zh --currency CNY -o "$OUT/shop/report-zh.html"
echo "Reports: $OUT/shop/report.html, $OUT/shop/report-zh.html (open in any browser)"
if [ -f "$DATA/lifetimes/CDNOW_master.txt" ]; then
  echo
  echo "== the real CDNOW log (23,570 customers, 1997-01 .. 1998-06)"
  $CLV run "$DATA/lifetimes/CDNOW_master.txt" --until 1998-06-30 --margin 0.3 \
    -o "$OUT/cdnow"
else
  echo "(shared CDNOW data not found at $DATA: skipping the real-data run)"
fi
if [ -f "$DATA/online_retail/online_retail.csv" ]; then
  echo
  echo "== the real UCI Online Retail log (a UK shop, 2010-12 .. 2011-12)"
  $CLV segment "$DATA/online_retail/online_retail.csv" -q -o "$OUT/retail/segments"
  $CLV report "$DATA/online_retail/online_retail.csv" -q --currency GBP \
    -o "$OUT/retail/report.html"
  echo "Report: $OUT/retail/report.html"
fi
