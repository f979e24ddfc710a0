#!/usr/bin/env bash
# The desktop build of the app (digitlab-desktop, built with ASan + UBSan by scripts/test.sh) on a
# private Xvfb display with Mesa's software GL, driven by its "smoke" script (src/app/desktop_script.h):
# the dataset loads, a lesson link's mlp trains 1 epoch past 90%, a drawn 7 reads 7, every menu, the
# confusion cell view, the larger "What it learned" view and each window alone in a phone-sized window
# open. Any sanitizer report, leak included, fails it. DIGITLAB_SHOTS=DIR keeps screenshots.
# Usage: tests/desktop/smoke.sh <digitlab-desktop>
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${1:?usage: smoke.sh <digitlab-desktop>}
tmp=$(mktemp -d)
xvfb=
cleanup() { [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# Xvfb picks a free display and writes its number to fd 3.
exec 3> >(cat > "$tmp/display")
Xvfb -displayfd 3 -screen 0 1600x900x24 -nolisten tcp 2>"$tmp/xvfb.log" &
xvfb=$!
exec 3>&-
for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
[ -s "$tmp/display" ] || { echo "Xvfb did not start: $(tail -3 "$tmp/xvfb.log")"; exit 1; }

export DISPLAY=":$(head -1 "$tmp/display")"
export LIBGL_ALWAYS_SOFTWARE=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS="suppressions=$here/tests/desktop/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
timeout 900 "$bin" --data "$here/assets/mnist" --store "$tmp/store" --out "$tmp/out" \
  --link '#preset=mlp&epochs=1&seed=1&autostart=1' --script smoke
