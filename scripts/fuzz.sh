#!/usr/bin/env bash
# Fuzzes the readers of untrusted input with libFuzzer (Debian's clang and libclang-rt-14-dev), under
# ASan + UBSan: the IDX and CSV readers, the model-file loader, the layer-spec text, lesson links and
# saved runs (tests/fuzz/fuzz_*.cpp).
#   scripts/fuzz.sh [--seconds N | --runs N] [--record] [target...]     (default: --seconds 20, all six)
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>/) and the committed inputs
# that once failed (tests/fuzz/regressions/<target>/), which it replays first; what it finds that is
# new goes to a scratch folder (build/fuzz/work/), not into the repository. A failure stops that target
# with the input saved as build/fuzz/findings/<target>-crash-…, and the script exits 1 after the others.
# --record writes the executions and times to docs/reliability.md (between its "fuzz-table" markers).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
source scripts/common.sh

mode=(-max_total_time=20) record=0 targets=() args="$*"
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) mode=(-max_total_time="$2"); shift 2 ;;
    --runs) mode=(-runs="$2"); shift 2 ;;
    --record) record=1; shift ;;
    fuzz_*) targets+=("$1"); shift ;;
    *) die "usage: scripts/fuzz.sh [--seconds N | --runs N] [--record] [fuzz_idx fuzz_csv fuzz_model_file fuzz_spec_text fuzz_lesson fuzz_run_file]" ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_idx fuzz_csv fuzz_model_file fuzz_spec_text fuzz_lesson fuzz_run_file)

command -v clang++ >/dev/null || die "clang is missing: run scripts/setup.sh"
if [ ! -f build/fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_FUZZ=ON >/dev/null ||
    die "configuring the fuzz build failed"
fi
ninja -C build/fuzz -j"$JOBS" "${targets[@]}" >/dev/null || die "building the fuzz targets failed"
mkdir -p build/fuzz/findings

failed=0 rows=()
for t in "${targets[@]}"; do
  work=build/fuzz/work/$t
  mkdir -p "$work" tests/fuzz/regressions/$t
  dict=()
  case $t in
    fuzz_lesson) dict=(-dict=tests/fuzz/lesson.dict) ;;
    fuzz_spec_text) dict=(-dict=tests/fuzz/spec.dict) ;;
  esac
  log=build/fuzz/$t.log
  t0=$(date +%s.%N)
  build/fuzz/$t "${mode[@]}" "${dict[@]}" -print_final_stats=1 -artifact_prefix="build/fuzz/findings/$t-" \
    "$work" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t" >"$log" 2>&1
  rc=$?
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  if [ $rc -ne 0 ]; then
    failed=1
    echo "FAIL - $t: $(grep -m1 -E 'ERROR|internal error|runtime error' "$log") (see $log)"
  else
    printf 'ok   - %s: %s executions in %.0f s (%s/s), no finding\n' "$t" "$execs" "$secs" "$speed"
  fi
  rows+=("| \`$t\` | $(printf "%'d" "${execs:-0}") | $(printf '%.0f' "$secs") s | $(printf "%'d" "${speed:-0}") | $([ $rc -eq 0 ] && echo none || echo "**failed**") |")
done

if [ $record -eq 1 ]; then
  doc=docs/reliability.md
  grep -q '<!-- fuzz-table -->' "$doc" || die "$doc has no <!-- fuzz-table --> markers"
  {
    echo "<!-- fuzz-table -->"
    echo "Recorded $(date -u +%Y-%m-%d) by \`scripts/fuzz.sh $args\` on $(nproc) cores ($(clang++ --version | head -n1)):"
    echo
    echo "| target | executions | time | executions/s | findings |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo "<!-- /fuzz-table -->"
  } >build/fuzz/table.md
  python3 - "$doc" build/fuzz/table.md <<'EOF'
import re, sys
doc, table = sys.argv[1], open(sys.argv[2]).read().rstrip('\n')
text = open(doc).read()
text = re.sub(r'<!-- fuzz-table -->.*?<!-- /fuzz-table -->', lambda m: table, text, flags=re.S)
open(doc, 'w').write(text)
EOF
  echo "recorded in $doc"
fi
exit $failed
