#!/usr/bin/env bash
# dl::gemm against Eigen's matrix product on the presets' training products, one thread, natively
# (Eigen with default flags and with -mavx2 -mfma) and in wasm under node, 3 interleaved rounds; writes
# the "GEMM: the core's kernel and Eigen" section of docs/benchmarks.md. Not a test: run it on an
# otherwise idle machine.
#   bench/gemm_eigen.sh [seconds per measurement, default 0.5]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
source scripts/common.sh
secs=${1:-0.5}
[ -f /usr/include/eigen3/Eigen/Core ] || die "this comparison needs Eigen: apt-get install libeigen3-dev"
cmake -S . -B build/native -G Ninja >/dev/null && ninja -C build/native bench_gemm_eigen bench_gemm_eigen_avx2 >/dev/null
emcmake cmake -S . -B build/wasm-tests -G Ninja -DDIGITLAB_THREADS=ON >/dev/null && ninja -C build/wasm-tests bench_gemm_eigen >/dev/null
node --input-type=module -e "import { waitForQuiet } from './bench/machine.mjs'; await waitForQuiet((...a) => console.error('[gemm_eigen.sh]', ...a));"
out=$(mktemp)
for round in 1 2 3; do
  build/native/bench_gemm_eigen "$secs" >>"$out"
  build/native/bench_gemm_eigen_avx2 "$secs" >>"$out"
  node --no-experimental-fetch build/wasm-tests/bench_gemm_eigen.js "$secs" >>"$out"
done
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
section=$(python3 - "$out" "$cpu" "$(node --version)" <<'PY'
import json, sys, datetime, statistics
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
groups = {}
for r in runs:
    groups.setdefault((r["platform"], r["shape"]), []).append(r)
print("## GEMM: the core's kernel and Eigen (bench/gemm_eigen.sh)\n")
print(f"Measured {datetime.date.today()} on {sys.argv[2]}, node {sys.argv[3]}, one thread. "
      "GFLOP/s of `dl::gemm` and of Eigen 3.4's `noalias()` product on row-major maps of the same matrices "
      "(checked to agree), for products the presets' training steps run. Natively `dl::gemm` uses AVX2 + FMA "
      "(picked at run time); Eigen is built with the compiler's default flags (SSE2) and with `-mavx2 -mfma`. "
      "wasm: `-O3 -msimd128` under node. Median of 3 interleaved rounds; ratio = own / Eigen.\n")
print("| platform | product (M × N × K) | own GFLOP/s | Eigen GFLOP/s | own / Eigen |")
print("|---|---|---|---|---|")
for (platform, shape), g in groups.items():
    own = statistics.median(r["own_gflops"] for r in g)
    eig = statistics.median(r["eigen_gflops"] for r in g)
    r0 = g[0]
    print(f"| {platform} | {shape} ({r0['M']:,} × {r0['N']:,} × {r0['K']:,}) | {own:.1f} | {eig:.1f} | {own / eig:.2f} |")
PY
)
rm -f "$out"
python3 - "$section" <<'PY'
import sys, re
path = "docs/benchmarks.md"
text = open(path).read()
sec = sys.argv[1].strip() + "\n"
pat = re.compile(r"## GEMM: the core's kernel and Eigen \(bench/gemm_eigen.sh\)\n.*?(?=\n## |\Z)", re.S)
text = pat.sub(lambda m: sec, text) if pat.search(text) else text.rstrip() + "\n\n" + sec
open(path, "w").write(text)
PY
echo "wrote docs/benchmarks.md"
