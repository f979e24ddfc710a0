#!/usr/bin/env bash
# Runs the core training benchmark natively and as wasm under node and writes the
# "Core training throughput" section of docs/benchmarks.md. Not a test: numbers depend on the machine
# and on what else runs; run it on an otherwise idle machine.
#   bench/run.sh [seconds per measurement, default 5]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
source scripts/common.sh
secs=${1:-5}
cmake -S . -B build/native -G Ninja >/dev/null && ninja -C build/native bench_train >/dev/null
emcmake cmake -S . -B build/wasm-tests -G Ninja -DDIGITLAB_THREADS=ON >/dev/null && ninja -C build/wasm-tests bench_train >/dev/null
# Back to back with another benchmark, the load average still counts it: wait as the browser benchmarks do.
node --input-type=module -e "import { waitForQuiet } from './bench/machine.mjs'; await waitForQuiet((...a) => console.error('[run.sh]', ...a));"
out=$(mktemp)
# Three rounds, interleaved: on a shared VM one measurement can be off by a third (the table shows
# the median and the range).
for round in 1 2 3; do
  for preset in "mlp 32" "mlp 128" "mlp-deep 32" "cnn-tiny 128" "cnn-5x5 50" "cnn-vgg 256"; do
    set -- $preset
    build/native/bench_train "$1" "$2" "$secs" 2 >>"$out"
    node --no-experimental-fetch build/wasm-tests/bench_train.js "$1" "$2" "$secs" 2 >>"$out"
  done
done
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
load=$(cut -d' ' -f1-3 /proc/loadavg)
section=$(python3 - "$out" "$cpu" "$(nproc)" "$(node --version)" "$load" <<'PY'
import json, sys, datetime, statistics
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
groups = {}
for r in runs:
    groups.setdefault((r["preset"], r["batch"], r["platform"], r["threads"]), []).append(r)
def cell(v, fmt=",.0f"):
    return f"{statistics.median(v):{fmt}} ({min(v):{fmt}}–{max(v):{fmt}})" if len(v) > 1 else f"{v[0]:{fmt}}"
print("## Core training throughput (bench/run.sh)\n")
print(f"Measured {datetime.date.today()} on {sys.argv[2]} ({sys.argv[3]} cores, load average {sys.argv[5]} at the end), node {sys.argv[4]}. "
      "`Trainer::step()` on synthetic 28×28 images; inference = evaluation-mode forward passes in batches of 500; "
      "draw pad = the forward pass of one image on a thread that works inline, as the app's UI thread does "
      "(milliseconds, median of 200; the same in both thread rows, since it uses no worker). "
      "wasm = the same core built with `-O3 -msimd128 -pthread`, run under node. "
      f"Median of {max(len(g) for g in groups.values())} interleaved rounds, with the range: this VM's speed varies between runs.\n")
print("| preset | batch | platform | threads | train samples/s | inference samples/s | draw pad, ms |")
print("|---|---|---|---|---|---|---|")
for (preset, batch, platform, threads), g in groups.items():
    print(f"| {preset} | {batch} | {platform} | {threads} | {cell([r['train_samples_per_sec'] for r in g])} | "
          f"{cell([r['infer_samples_per_sec'] for r in g])} | {cell([r['pad_forward_ms'] for r in g], '.3f')} |")
PY
)
rm -f "$out"
mkdir -p docs
python3 - "$section" <<'PY'
import sys, re, os
path = "docs/benchmarks.md"
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\nEvery number here was written by a benchmark script; rerun it to refresh its section.\n"
sec = sys.argv[1].strip() + "\n"
pat = re.compile(r"## Core training throughput \(bench/run.sh\)\n.*?(?=\n## |\Z)", re.S)
text = pat.sub(lambda m: sec, text) if pat.search(text) else text.rstrip() + "\n\n" + sec
open(path, "w").write(text)
PY
echo "wrote docs/benchmarks.md"
