#!/usr/bin/env bash
# Sets up what is missing, builds everything, and runs every test:
#   1. native build: core, digitlab CLI, unit tests  → ctest (unit tests + CLI end-to-end on real MNIST)
#   2. the same unit tests, and ASan + UBSan's CLI tests too, built with clang's sanitizers; the
#      threaded tests (kernel pool, trainer thread) under TSan; the desktop build of the app under
#      ASan + UBSan on an Xvfb display, driven through its windows by a script (tests/desktop/smoke.sh)
#   3. the fuzz targets of the untrusted-input readers, 20 s each after replaying their seeds and the
#      inputs that once failed (scripts/fuzz.sh)
#   4. the same core unit tests compiled to wasm (SIMD + pthreads), run under node, and the fuzz
#      seeds and regressions replayed there (32-bit size_t)
#   5. the browser app (both wasm builds) → end-to-end tests in headless Chromium, and in Firefox ESR
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
# clang builds with sanitizers (CMakeLists: DIGITLAB_SANITIZE); the mallinfo() test skips itself there.
sanitizer_build() {  # sanitizer_build <dir> <sanitizers> <targets...>
  local dir=$1 san=$2; shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_SANITIZE="$san" \
      -DDIGITLAB_APP=$([ "$san" = thread ] && echo OFF || echo ON) >/dev/null || return 1
  fi
  ninja -C "$dir" -j"$JOBS" "$@"
}
asan_tests() { sanitizer_build build/asan address,undefined unit_tests digitlab mnist_raw && ctest --test-dir build/asan --output-on-failure; }
desktop_ui() { sanitizer_build build/asan address,undefined digitlab_desktop && tests/desktop/smoke.sh build/asan/digitlab-desktop; }
THREADED_TESTS='*workers*,thread pool*,parallel_ranges*,bridge*,determinism*'
tsan_tests() { sanitizer_build build/tsan thread unit_tests && build/tsan/unit_tests -tc="$THREADED_TESTS"; }
FUZZ_TARGETS=(fuzz_idx fuzz_csv fuzz_model_file fuzz_spec_text fuzz_lesson fuzz_run_file)
wasm_tests() {
  emcmake cmake -S . -B build/wasm-tests -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_THREADS=ON >/dev/null &&
    ninja -C build/wasm-tests -j"$JOBS" unit_tests "${FUZZ_TARGETS[@]/#/replay_}" &&
    node --no-experimental-fetch build/wasm-tests/unit_tests.js || return 1
  local t
  for t in "${FUZZ_TARGETS[@]}"; do
    printf '%s (wasm32): ' "$t"
    node --no-experimental-fetch "build/wasm-tests/replay_$t.js" "tests/fuzz/corpus/$t" \
      $([ -d "tests/fuzz/regressions/$t" ] && echo "tests/fuzz/regressions/$t") || return 1
  done
}
e2e() {
  scripts/build-web.sh && node --test --test-concurrency=1 tests/e2e/
}

suite "native build" native_build
suite "native tests (ctest)" ctest --test-dir build/native --output-on-failure
suite "unit and CLI tests under ASan + UBSan" asan_tests
suite "threaded tests under TSan" tsan_tests
suite "desktop UI under Xvfb (ASan + UBSan)" desktop_ui
suite "fuzzing (20 s a target)" scripts/fuzz.sh --seconds 20
suite "wasm unit tests and fuzz replays (node)" wasm_tests
suite "browser app e2e (chromium, firefox, webkit)" e2e

[ $failed -eq 0 ] || echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
