#!/usr/bin/env bash
# run_cases.sh CLV CASEFILE - runs the CLI cases of one .test file.
#
# A case file is data (jq's .test style). Cases start with "%% name"; then:
#   cmd: ARGS          arguments to clv (shell words; {DATA} is the shared data
#                      folder, {TMP} a scratch folder, {SRC} the source tree)
#   stdin: FILE        feed FILE on standard input (same substitutions)
#   needs: FILE        skip the case (loudly) when FILE does not exist
#   exit: N            expected exit code (default 0)
#   stdout~ TEXT       stdout contains TEXT        stderr~ TEXT   likewise
#   stdout!~ TEXT      stdout does not contain TEXT
#   stdout= LINE       stdout's lines, in order, exactly (one per "stdout=")
#   file~ PATH TEXT    file PATH contains TEXT
#   lines: N           stdout has N lines
# Lines starting with '#' are comments. Exit code 0 when all cases pass,
# 1 otherwise, 77 when every case was skipped.
set -u
CLV=$1
CASES=$2
DATA=${CLV_DATA_DIR:-$(dirname "$0")/../../../shared/data}
TMP=${CLV_TEST_TMP:-$(mktemp -d)}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$TMP"
pass=0 fail=0 skipped=0

subst() { local s=$1; s=${s//\{DATA\}/$DATA}; s=${s//\{TMP\}/$TMP}; s=${s//\{SRC\}/$SRC}; printf '%s' "$s"; }

run_case() {
  [ -z "$name" ] && return
  local why=""
  for n in "${needs[@]}"; do
    if [ ! -e "$(subst "$n")" ]; then
      echo "SKIPPED: $name (missing $(subst "$n"))" >&2
      skipped=$((skipped + 1)); return
    fi
  done
  local out="$TMP/.out" err="$TMP/.err"
  local in=/dev/null
  [ -n "$stdin" ] && in=$(subst "$stdin")
  eval "set -- $(subst "$cmd")"
  "$CLV" "$@" <"$in" >"$out" 2>"$err"
  local rc=$?
  [ "$rc" = "$exit_want" ] || why="$why\n  exit code $rc, expected $exit_want"
  for c in "${checks[@]}"; do
    local kind=${c%% *} text=${c#* }
    text=$(subst "$text")
    case $kind in
      'stdout~') grep -qF -- "$text" "$out" || why="$why\n  stdout lacks: $text" ;;
      'stdout!~') grep -qF -- "$text" "$out" && why="$why\n  stdout has: $text" ;;
      'stderr~') grep -qF -- "$text" "$err" || why="$why\n  stderr lacks: $text" ;;
      'stderr!~') grep -qF -- "$text" "$err" && why="$why\n  stderr has: $text" ;;
      'lines:') [ "$(wc -l <"$out")" = "$text" ] || why="$why\n  stdout has $(wc -l <"$out") lines, expected $text" ;;
      'file~') local f=${text%% *} t=${text#* }
               grep -qF -- "$t" "$f" 2>/dev/null || why="$why\n  $f lacks: $t" ;;
    esac
  done
  if [ ${#exact[@]} -gt 0 ]; then
    printf '%s\n' "${exact[@]}" >"$TMP/.want"
    diff -u "$TMP/.want" "$out" >"$TMP/.diff" || why="$why\n  stdout differs:\n$(cat "$TMP/.diff")"
  fi
  if [ -z "$why" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAIL: %s\n  clv %s%b\n  stderr: %s\n' "$name" "$(subst "$cmd")" "$why" "$(head -c 600 "$err")"
  fi
}

name="" cmd="" stdin="" exit_want=0 checks=() exact=() needs=()
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    '#'*|'') continue ;;
    '%% '*) run_case; name=${line#%% }; cmd="" stdin="" exit_want=0 checks=() exact=() needs=() ;;
    'cmd: '*) cmd=${line#cmd: } ;;
    'stdin: '*) stdin=${line#stdin: } ;;
    'needs: '*) needs+=("${line#needs: }") ;;
    'exit: '*) exit_want=${line#exit: } ;;
    'stdout= '*) exact+=("${line#stdout= }") ;;
    'stdout=') exact+=("") ;;
    *) checks+=("$line") ;;
  esac
done <"$CASES"
run_case
echo "$(basename "$CASES"): $pass passed, $fail failed, $skipped skipped"
[ $fail -gt 0 ] && exit 1
[ $pass -eq 0 ] && [ $skipped -gt 0 ] && exit 77
exit 0
