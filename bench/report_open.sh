#!/usr/bin/env bash
# report_open.sh - how fast `clv report` builds its HTML page and how fast the
# page opens in headless Chromium (issue 6: "opens in under two seconds").
# Prints a table; asserts nothing (timing is never a test).
#
# For each size it simulates a retail log (`clv simulate --retail`, kept in
# DATA), times `clv report` on it (wall seconds and peak resident memory,
# bench_rusage), then opens the page RUNS times, each in a new headless
# Chromium (driven over the DevTools protocol by a few lines of Node, in
# real time), and keeps the median of what the page records on its
# #clv-status element, in milliseconds since navigation start
# (performance.now()):
#   doc     the browser starts loading the document (before it: the
#           browser's own start, a new renderer process; an empty page
#           pays it too, see the "empty page" row)
#   dcl     DOMContentLoaded: ECharts and the data parsed, the page built
#   first   the charts of the first screen (WIDTHxHEIGHT) drawn: what the
#           reader waits for; the charts further down draw as they come near
#   page    first - doc: the page's own cost
#   all     every chart drawn, the page opened with #all (as for printing)
# Chromium here renders without a GPU.
#
#   bench/report_open.sh                          # 4,000 and 200,000
#   SIZES="4000 200000 10000000" bench/report_open.sh
#   PLAIN=build/bench-data/orders-10000000.csv bench/report_open.sh
#   SIZES= PAGES="a.html b.html" bench/report_open.sh   # open only
# Environment: SIZES (customers, default "4000 200000"), BUILD (default
# build/release), DATA (default build/bench-data), RUNS (opens per page,
# default 5), WINDOW (default 1400,900), PLAIN (also a plain
# customer,date,amount log), PAGES (report files to open without building),
# KEEP=0 deletes simulated logs over 1 GB after use.
set -uo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES-"4000 200000"}
BUILD=${BUILD:-build/release}
DATA=${DATA:-build/bench-data}
RUNS=${RUNS:-5}
WINDOW=${WINDOW:-1400,900}
PLAIN=${PLAIN:-}
PAGES=${PAGES:-}
KEEP=${KEEP:-1}

CHROME=""
for c in chromium chromium-browser chromium-headless-shell google-chrome; do
  if command -v "$c" >/dev/null 2>&1; then CHROME=$(command -v "$c"); break; fi
done
[ -n "$CHROME" ] || { echo "report_open.sh: chromium is not installed" >&2; exit 1; }
# Node 22 has WebSocket built in; Node 20 and 21 behind a flag.
NODE=(node)
if ! node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
  NODE=(node --experimental-websocket)
  "${NODE[@]}" -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' \
    2>/dev/null || { echo "report_open.sh: needs Node >= 20.10" >&2; exit 1; }
fi

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  echo "configuring a Release build in $BUILD ..." >&2
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
fi
if ! log=$(cmake --build "$BUILD" -j 2 --target clv bench_rusage 2>&1); then
  printf '%s\n' "$log" >&2
  exit 1
fi
CLV=$BUILD/clv
RUSAGE=$BUILD/bench/bench_rusage
mkdir -p "$DATA"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# The opener: starts Chromium on about:blank with a throw-away profile,
# navigates to the page, polls until #clv-status has the attribute and
# prints the element. Polling does not skew the figures: the page stamps
# its own times.
cat >"$OUT/open.js" <<'EOF'
const { spawn } = require('child_process');
const fs = require('fs'), os = require('os'), path = require('path');
const [chrome, win, url, attr] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clv-open-'));
const ch = spawn(chrome, ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-dev-shm-usage', '--no-first-run', '--hide-scrollbars',
  '--window-size=' + win, '--remote-debugging-port=0',
  '--user-data-dir=' + dir, 'about:blank'], { stdio: 'ignore' });
const sleep = ms => new Promise(r => setTimeout(r, ms));
function end(code, text) {
  if (text) console.log(text);
  ch.kill();
  setTimeout(() => {
    try { fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); } catch (e) {}
    process.exit(code);
  }, 300);
}
(async () => {
  let port, page;
  for (let i = 0; i < 600 && !port; i++) {
    await sleep(50);
    try { port = fs.readFileSync(path.join(dir, 'DevToolsActivePort'), 'utf8').split('\n')[0]; } catch (e) {}
  }
  for (let i = 0; i < 200 && port && !page; i++) {
    try {
      const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      page = list.find(t => t.type === 'page');
    } catch (e) {}
    if (!page) await sleep(50);
  }
  if (!page) return end(1, '');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise(r => ws.onopen = r);
  let id = 0;
  const pend = {};
  ws.onmessage = m => {
    const d = JSON.parse(m.data);
    if (d.id && pend[d.id]) { pend[d.id](d.result); delete pend[d.id]; }
  };
  const send = (method, params = {}) => new Promise(r => {
    const i = ++id;
    pend[i] = r;
    ws.send(JSON.stringify({ id: i, method, params }));
  });
  await send('Page.navigate', { url });
  const q = `(function () { var s = document.getElementById('clv-status');
    return s && s.getAttribute('${attr}') ? s.outerHTML : ''; })()`;
  for (let i = 0; i < 2400; i++) {
    await sleep(25);
    const r = await send('Runtime.evaluate', { expression: q, returnByValue: true });
    if (r && r.result && r.result.value) return end(0, r.result.value);
  }
  end(1, '');
})();
EOF
# An empty page that stamps the same times: the browser's share.
cat >"$OUT/empty.html" <<'EOF'
<!DOCTYPE html><html><body><div id="clv-status"></div><script>
var s = document.getElementById('clv-status'), t = performance.timing;
s.setAttribute('data-doc-ms', String(t.domLoading - t.navigationStart));
['data-dcl-ms', 'data-first-screen-ms'].forEach(function (a) {
  s.setAttribute(a, performance.now().toFixed(1)); });
</script></body></html>
EOF

status() { # status URL ATTR
  "${NODE[@]}" "$OUT/open.js" "$CHROME" "$WINDOW" "$1" "$2" 2>/dev/null
}
attr() { grep -o " $1=\"[^\"]*\"" <<<"$2" | head -1 | sed 's/.*="\(.*\)"/\1/'; }
median() { grep . | sort -n | awk '{ v[NR] = $1 } END {
  if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }

# open NAME HTML SIZE_MB BUILD_S PEAK_MB [noall]: opens the page; prints a
# row.
open_row() {
  local name=$1 html=$2 k s doc="" dcl="" first="" page="" all="" lazy=""
  local charts="-" drawn="-" errors="-"
  for ((k = 0; k < RUNS; k++)); do
    s=$(status "file://$html" data-first-screen-ms)
    doc+="$(attr data-doc-ms "$s")"$'\n'
    dcl+="$(attr data-dcl-ms "$s")"$'\n'
    first+="$(attr data-first-screen-ms "$s")"$'\n'
    page+="$(awk -v f="$(attr data-first-screen-ms "$s")" \
      -v d="$(attr data-doc-ms "$s")" 'BEGIN { if (f != "") print f - d }')"$'\n'
    lazy+="$(attr data-drawn "$s")"$'\n'
    [ "${6:-}" = noall ] && continue
    s=$(status "file://$html#all" data-all-ms)
    all+="$(attr data-all-ms "$s")"$'\n'
    charts=$(attr data-charts "$s")
    drawn=$(attr data-drawn "$s")
    errors=$(attr data-errors "$s")
  done
  printf '%-16s %7s %8s %8s %6s %6s %6s %6s %6s %7s %7s\n' "$name" "$3" "$4" \
    "$5" "$(median <<<"$doc")" "$(median <<<"$dcl")" \
    "$(median <<<"$first")" "$(median <<<"$page")" "$(median <<<"$all")" \
    "$(median <<<"$lazy")/${charts:--}" "${drawn:--}/${errors:--}"
}

# build NAME LOG: builds the report of LOG, then opens it.
build_row() {
  local name=$1 log=$2 html="$OUT/report.html" line
  line=$("$RUSAGE" -- "$CLV" report "$log" -q -o "$html") || {
    echo "report_open.sh: clv report failed on $log ($line)" >&2
    return 1
  }
  open_row "$name" "$html" \
    "$(awk -v b="$(stat -c %s "$html")" 'BEGIN { printf "%.2f", b / 1e6 }')" \
    "$(sed 's/.*wall_s=\([^ ]*\).*/\1/' <<<"$line")" \
    "$(awk -v l="$line" 'BEGIN { sub(/.*maxrss_kb=/, "", l); sub(/ .*/, "", l);
                                 printf "%.0f", l / 1024 }')"
}

printf '# %s, %s cores (%s), load %s; window %s; median of %s opens\n' \
  "$("$CHROME" --version 2>/dev/null)" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$WINDOW" "$RUNS"
printf '%-16s %7s %8s %8s %6s %6s %6s %6s %6s %7s %7s\n' page file_MB build_s \
  peak_MB doc dcl first page all lazy all/err
open_row "empty page" "$OUT/empty.html" - - - noall
for n in $SIZES; do
  log="$DATA/retail-$n.csv"
  if [ ! -s "$log" ]; then
    "$CLV" simulate --retail --customers "$n" --seed 5 -o "$log" \
      >/dev/null 2>&1 ||
      { echo "report_open.sh: clv simulate failed" >&2; exit 1; }
  fi
  build_row "retail $n" "$log"
  if [ "$KEEP" = 0 ] && [ "$(stat -c %s "$log")" -gt 1000000000 ]; then
    rm -f "$log"
  fi
done
if [ -n "$PLAIN" ]; then
  build_row "$(basename "$PLAIN" .csv)" "$PLAIN"
fi
for p in $PAGES; do
  open_row "$(basename "$p" .html)" "$(realpath "$p")" \
    "$(awk -v b="$(stat -c %s "$p")" 'BEGIN { printf "%.2f", b / 1e6 }')" - -
done
echo "# times in ms since navigation start; page = first - doc; lazy: charts" \
  "drawn when first screen done / charts; all/err: drawn with #all / errors"
