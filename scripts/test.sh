#!/usr/bin/env bash
# test.sh - builds clv twice (optimised, and with AddressSanitizer +
# UndefinedBehaviorSanitizer) and runs the whole test suite on both.
# Usage: scripts/test.sh            (CLV_DATA_DIR overrides ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
JOBS=$(nproc 2>/dev/null || echo 2)
DATA=${CLV_DATA_DIR:-$(pwd)/../shared/data}
if [ ! -d "$DATA" ]; then
  echo "!!! clv: shared data folder $DATA is missing: tests that need it are SKIPPED !!!" >&2
fi
for variant in release asan; do
  dir=build/$variant
  flags=(-DCMAKE_BUILD_TYPE=Release -DCLV_DATA_DIR="$DATA")
  [ $variant = asan ] && flags=(-DCMAKE_BUILD_TYPE=Debug -DCLV_SANITIZE=ON -DCLV_BENCH=OFF -DCLV_DATA_DIR="$DATA")
  echo "=== clv: $variant build ===" >&2
  cmake -S . -B "$dir" "${flags[@]}" >/dev/null
  cmake --build "$dir" -j "$JOBS" >/dev/null
  echo "=== clv: $variant tests ===" >&2
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j "$JOBS"
done
