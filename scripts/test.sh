#!/usr/bin/env bash
# Sets up what is missing, builds everything, and runs every test:
#   1. native build: core, digitlab CLI, unit tests  → ctest (unit tests + CLI end-to-end on real MNIST)
#   2. the same core unit tests compiled to wasm (SIMD + pthreads), run under node
#   3. the browser app (both wasm builds) → end-to-end tests in headless Chromium, and in Firefox ESR
#      and WebKitGTK (Safari's engine), each on a private Xvfb display
# Ends with one line "suites: N passed, N failed"; exits non-zero if any suite failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
source scripts/common.sh
scripts/setup.sh || die "setup failed"

passed=0 failed=0 failed_names=()
suite() {  # suite <name> <command...>
  local name=$1; shift
  step "$name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names+=("$name"); fi
}

native_build() {
  cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null && ninja -C build/native -j"$JOBS"
}
wasm_tests() {
  emcmake cmake -S . -B build/wasm-tests -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_THREADS=ON >/dev/null &&
    ninja -C build/wasm-tests -j"$JOBS" unit_tests &&
    node --no-experimental-fetch build/wasm-tests/unit_tests.js
}
e2e() {
  scripts/build-web.sh && node --test --test-concurrency=1 tests/e2e/
}

suite "native build" native_build
suite "native tests (ctest)" ctest --test-dir build/native --output-on-failure
suite "wasm unit tests (node)" wasm_tests
suite "browser app e2e (chromium, firefox, webkit)" e2e

[ $failed -eq 0 ] || echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
