#!/usr/bin/env bash
# Opens `tether demo` on the current X display, waits for its window and for the record
# counts, and saves a screenshot to out/demo.png. Fails when the window never appears,
# the app exits, or the screenshot is blank.
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

RUST_LOG="${RUST_LOG:-warn,tether=info}" "$bin" demo >"$log" 2>&1 &
app=$!
trap 'kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true' EXIT

if ! window="$(timeout 60 xdotool search --sync --onlyvisible --name 'Sandbox org' | head -n1)" || [ -z "$window" ]; then
  echo "error: the demo window did not appear within 60 s; its log:" >&2
  cat "$log" >&2
  exit 1
fi
echo "window $window: $(xdotool getwindowname "$window")"

# The window is up; wait (bounded) until the background work reports the counts.
counted=no
for _ in $(seq 600); do
  if grep -q "records counted" "$log"; then counted=yes; break; fi
  kill -0 "$app" 2>/dev/null || { echo "error: tether demo exited; its log:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ "$counted" = yes ] || echo "warning: no counts within 60 s; the screenshot shows the waiting state" >&2
sleep 0.5 # let the next frame paint the counts

import -window root "$out/demo.png"
spread="$(convert "$out/demo.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)"
awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' || { echo "error: the screenshot is blank (spread $spread)" >&2; exit 1; }
kill -0 "$app" 2>/dev/null || { echo "error: tether demo exited during the screenshot" >&2; cat "$log" >&2; exit 1; }
echo "screenshot: $out/demo.png"
