#!/usr/bin/env bash
# render.sh - renders clv reports in headless Chromium and checks that every
# chart drew (issue 6): no script error, each chart's 'finished' event seen
# with painted canvas pixels. The page records these on its #clv-status
# element, which --dump-dom shows. Screenshots are kept in OUT as artefacts.
# The page draws a chart only near the viewport; the checks open it with
# #all (every chart drawn), and lazy() checks the lazy drawing itself.
#
# Usage: render.sh CLV OUT [DATA_DIR]
# A simulated retail log (products, costs, channels) is always rendered
# (English and Chinese), with its action lists; the UCI Online
# Retail log too when DATA_DIR holds it (else a loud SKIP line). Exit 77
# (ctest skip) when Chromium is absent or this clv has no ECharts.
set -uo pipefail
CLV=$1
OUT=$2
DATA=${3:-}
mkdir -p "$OUT"

CHROME=""
for c in chromium chromium-browser chromium-headless-shell google-chrome; do
  if command -v "$c" >/dev/null 2>&1; then CHROME=$(command -v "$c"); break; fi
done
if [ -z "$CHROME" ]; then
  echo "SKIP: chromium is not installed (scripts/deps.sh installs it)" >&2
  exit 77
fi

fail=0
# Runs Chromium headless on one page; --virtual-time-budget lets the page's
# animation frames (where ECharts paints) run before the DOM is dumped.
chrome() {
  timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu \
    --disable-dev-shm-usage --no-first-run --hide-scrollbars \
    --virtual-time-budget=15000 "$@" 2>/dev/null
}

attr_any() { # the status element's attributes in any order
  grep -o '<div id="clv-status"[^>]*>' "$2" | grep -o "$1=\"[^\"]*\"" |
    head -1 | sed 's/.*="\(.*\)"/\1/'
}

SECTIONS="overview fit tracking value segments cohorts acquisition products actions"

# check NAME HTML [HEIGHT [SECTIONS]]: opens the page with #all, which draws
# every chart (the page otherwise draws a chart only near the viewport).
check() {
  local name=$1 html=$2 dom="$OUT/$1.dom.html" height=${3:-2600}
  local sections=${4:-$SECTIONS}
  chrome --window-size=1400,2600 --dump-dom "file://$html#all" >"$dom"
  local errors charts drawn blank ready
  errors=$(attr_any data-errors "$dom")
  charts=$(attr_any data-charts "$dom")
  drawn=$(attr_any data-drawn "$dom")
  blank=$(attr_any data-blank "$dom")
  ready=$(attr_any data-ready "$dom")
  echo "$name: charts=$charts drawn=$drawn blank=$blank errors=$errors ready=$ready"
  if [ "$ready" != "1" ] || [ "$errors" != "0" ] || [ -z "$charts" ] ||
     [ "$charts" = "0" ] || [ "$drawn" != "$charts" ] || [ "$blank" != "0" ]; then
    echo "FAIL: $name: not every chart drew ($(grep -o 'data-last-error="[^"]*"' "$dom"))" >&2
    fail=1
  fi
  # Every section of the issue is on the page (a module that cannot run
  # shows its reason in the section instead of charts).
  for id in $sections; do
    if ! grep -q "<section id=\"s-$id\"" "$dom"; then
      echo "FAIL: $name: no section $id" >&2
      fail=1
    fi
  done
  chrome --window-size=1400,"$height" --screenshot="$OUT/$name.png" \
    "file://$html#all" >/dev/null
  if [ ! -s "$OUT/$name.png" ]; then
    echo "FAIL: $name: no screenshot" >&2
    fail=1
  fi
}

# lazy NAME HTML SECTION: without #all, a 1400x900 window draws the charts
# near the first screen and not the others (the page opens faster); a link
# to SECTION further down draws that section's charts. The time to the
# first screen is printed, never judged (timing is not a test).
lazy() {
  local name=$1 html=$2 sec=$3 dom="$OUT/$1.lazy.html" errors charts drawn part
  chrome --window-size=1400,900 --dump-dom "file://$html" >"$dom"
  errors=$(attr_any data-errors "$dom")
  charts=$(attr_any data-charts "$dom")
  drawn=$(attr_any data-drawn "$dom")
  echo "$name (lazy, 1400x900): charts=$charts drawn=$drawn errors=$errors" \
    "first screen at $(attr_any data-first-screen-ms "$dom") ms" \
    "(document at $(attr_any data-doc-ms "$dom") ms)"
  if [ "$errors" != "0" ] || [ -z "$(attr_any data-first-screen-ms "$dom")" ] ||
     [ -z "$drawn" ] || [ "$drawn" -lt 1 ] || [ "$drawn" -ge "$charts" ]; then
    echo "FAIL: $name: the first screen did not draw alone" >&2
    fail=1
  fi
  chrome --window-size=1400,900 --dump-dom "file://$html#s-$sec" >"$dom"
  # The dump may hold the page on one line: cut it at each <section.
  part=$(tr '\n' ' ' <"$dom" | sed 's/<section /\n<section /g' |
    grep "^<section id=\"s-$sec\"")
  if ! grep -q 'class="chart" data-drawn="1"' <<<"$part"; then
    echo "FAIL: $name: following a link to #s-$sec drew no chart there" >&2
    fail=1
  fi
}

# notes_lang NAME LANG: the notes the page shows (<p class="notes">) are
# all worded in LANG: in zh each holds Chinese text, in en none does; and
# there is at least one. The notes come from the library (model choice,
# margin, limit fits), worded in both languages where they are made.
CJK='[\x{3000}-\x{9fff}\x{ff00}-\x{ffef}]'
notes_lang() {
  local name=$1 lang=$2 dom="$OUT/$1.dom.html" notes bad
  notes=$(tr '\n' ' ' <"$dom" | grep -o '<p class="notes">[^<]*</p>' |
    sed 's/<[^>]*>//g')
  if [ -z "$notes" ]; then
    echo "FAIL: $name: no notes on the page" >&2
    fail=1
    return
  fi
  if [ "$lang" = zh ]; then
    bad=$(LC_ALL=C.UTF-8 grep -vP "$CJK" <<<"$notes")
  else
    bad=$(LC_ALL=C.UTF-8 grep -P "$CJK" <<<"$notes")
  fi
  if [ -n "$bad" ]; then
    echo "FAIL: $name: notes not in $lang: $bad" >&2
    fail=1
  fi
  echo "$name: $(wc -l <<<"$notes") notes, all in $lang"
}

log="$OUT/sim_orders.csv"
"$CLV" simulate --retail --customers 4000 --seed 5 -o "$log" >/dev/null 2>&1 || {
  echo "FAIL: clv simulate" >&2; exit 1; }
rm -rf "$OUT/sim_lists"
"$CLV" report "$log" -q -o "$OUT/sim.html" --actions "$OUT/sim_lists" \
  --trend 3
rc=$?
if [ $rc -eq 4 ] && ! grep -q . "$OUT/sim.html" 2>/dev/null; then
  echo "SKIP: this clv was built without Apache ECharts (npm missing)" >&2
  exit 77
fi
[ $rc -eq 0 ] || { echo "FAIL: clv report exited $rc" >&2; exit 1; }
"$CLV" report "$log" -q --lang zh --currency CNY -o "$OUT/sim_zh.html" ||
  { echo "FAIL: clv report --lang zh" >&2; exit 1; }
# The whole English page (1400 px wide) is the README's screenshot.
check sim "$OUT/sim.html" 7600
check sim_zh "$OUT/sim_zh.html"
notes_lang sim en
notes_lang sim_zh zh
# The model choice and the margin in Chinese, with their figures.
if ! grep -q '<p class="notes">模型选择（校准期为 [0-9-]* 之前，验证期自 [0-9-]* 起）：[a-z]* 对验证期的预测最好：RMSE [0-9.]*' "$OUT/sim_zh.dom.html" ||
   ! grep -q '<p class="notes">毛利率为 [0-9.]*%，即数据中可识别客户的 1 - 成本 / 收入。' "$OUT/sim_zh.dom.html"; then
  echo "FAIL: sim_zh: no Chinese model-choice or margin note" >&2
  fail=1
fi
lazy sim "$OUT/sim.html" cohorts
# The action lists are written beside the page and linked relatively.
for f in customers.csv contacts.csv recommendations.csv; do
  if [ ! -s "$OUT/sim_lists/$f" ] ||
     ! grep -q "href=\"sim_lists/$f\"" "$OUT/sim.dom.html"; then
    echo "FAIL: action list $f not written or not linked" >&2
    fail=1
  fi
done

# clv run writes the report of the run itself: the sections that need only
# the scored summary (the business sections need the order table).
if "$CLV" run "$log" -q -o "$OUT/run_out" &&
   "$CLV" run "$log" -q --lang zh -o "$OUT/run_zh_out"; then
  check run "$OUT/run_out/report.html" 2600 "overview fit tracking value"
  check run_zh "$OUT/run_zh_out/report.html" 2600 "overview fit tracking value"
  notes_lang run en
  notes_lang run_zh zh
else
  echo "FAIL: clv run on the simulated log" >&2
  fail=1
fi

retail="$DATA/online_retail/online_retail.csv"
if [ -n "$DATA" ] && [ -r "$retail" ]; then
  if "$CLV" report "$retail" -q --currency GBP --title "Online Retail" \
       -o "$OUT/online_retail.html"; then
    check online_retail "$OUT/online_retail.html"
    notes_lang online_retail en
  else
    echo "FAIL: clv report on $retail (exit $?)" >&2
    fail=1
  fi
  # Its fit is a limit fit (no drop-out): the fit's notes in Chinese too.
  if "$CLV" report "$retail" -q --lang zh --title "Online Retail" \
       -o "$OUT/online_retail_zh.html"; then
    check online_retail_zh "$OUT/online_retail_zh.html"
    notes_lang online_retail_zh zh
    if ! grep -q '<p class="notes">[a-z]*：[^<]*极限拟合：a 降至 ' "$OUT/online_retail_zh.dom.html"; then
      echo "FAIL: online_retail_zh: no Chinese limit-fit note" >&2
      fail=1
    fi
  else
    echo "FAIL: clv report on $retail (exit $?)" >&2
    fail=1
  fi
else
  echo "SKIP: online_retail not found under '$DATA': only the simulated log was rendered" >&2
fi
exit $fail
