#!/usr/bin/env bash
# Opens `tether demo` on the current X display, clicks the first Sync Now with xdotool, waits
# for the run to finish, saves a screenshot to out/demo.png, and checks with `tether runs` that
# the run was recorded. Fails when the window never appears, the app exits, the run does not
# finish or is not recorded, or the screenshot is blank.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/tether"
out="$root/out"
[ -x "$bin" ] || { echo "error: $bin is missing: run cargo build first" >&2; exit 1; }
[ -n "${DISPLAY:-}" ] || { echo "error: no DISPLAY: run scripts/test.sh, or start Xvfb and set DISPLAY" >&2; exit 1; }
for tool in xdotool import convert; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing: apt-get install xdotool imagemagick" >&2; exit 1; }
done
mkdir -p "$out"
log="$out/demo.log"
scratch="$(mktemp -d)"
workspace="$scratch/workspace.sqlite"

# A fresh data folder and window state, so the layout is the default one.
XDG_DATA_HOME="$scratch/xdg" RUST_LOG="${RUST_LOG:-warn,tether=info}" \
  "$bin" demo --data-dir "$scratch/data" --workspace "$workspace" >"$log" 2>&1 &
app=$!
trap 'kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; rm -rf "$scratch"' EXIT

fail() { echo "error: $*; the app's log:" >&2; cat "$log" >&2; exit 1; }

# Waits (bounded) until the log has a line matching $1; fails when the app exits first.
wait_for_log() {
  local pattern="$1" seconds="$2"
  for _ in $(seq $((seconds * 10))); do
    grep -Eq "$pattern" "$log" && return 0
    kill -0 "$app" 2>/dev/null || fail "tether demo exited while waiting for: $pattern"
    sleep 0.1
  done
  fail "nothing matching '$pattern' in the log within $seconds s"
}

if ! window="$(timeout 60 xdotool search --sync --onlyvisible --name 'Sandbox org' | head -n1)" || [ -z "$window" ]; then
  fail "the demo window did not appear within 60 s"
fi
echo "window $window: $(xdotool getwindowname "$window")"
wait_for_log "the dashboard shows [1-9][0-9]* links" 120
sleep 1 # let the next frames paint the cards

# Sync Now is the accent-filled button: find the first one, as a person would by eye, below the
# top bar and right of the navigation rail.
eval "$(xdotool getwindowgeometry --shell "$window")"
import -window root "$scratch/before.png"
left=$((X + 210)); top=$((Y + 64))
hit="$(convert "$scratch/before.png" -crop "$((WIDTH - 210))x$((HEIGHT - 64))+$left+$top" +repage txt:- 2>/dev/null \
  | grep -m1 -i '#2563EB' || true)"
[ -n "$hit" ] || fail "no Sync Now button on the screen"
bx="${hit%%,*}"; rest="${hit#*,}"; by="${rest%%:*}"
click_x=$((left + bx + 24)); click_y=$((top + by + 12))
echo "clicking Sync Now at $click_x,$click_y"
xdotool mousemove "$click_x" "$click_y" click 1

wait_for_log "run [0-9]+ of .* finished" 180
finished="$(grep -Eo "run [0-9]+ of .* finished: [a-z]+" "$log" | tail -n1)"
echo "$finished"
case "$finished" in *succeeded) ;; *) fail "the run did not succeed: $finished" ;; esac
sleep 1 # let the next frame paint the result

import -window root "$out/demo.png"
spread="$(convert "$out/demo.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)"
awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' || fail "the screenshot is blank (spread $spread)"
kill -0 "$app" 2>/dev/null || fail "tether demo exited during the screenshot"

# The click must have become a run in the workspace's history, started by the button.
runs="$("$bin" runs --workspace "$workspace" --format json)"
echo "$runs" | grep -q '"trigger": *"button"' || { echo "$runs" >&2; fail "no run started by the Sync Now button in the history"; }
echo "$runs" | grep -q '"status": *"succeeded"' || { echo "$runs" >&2; fail "no succeeded run in the history"; }
echo "screenshot: $out/demo.png"
