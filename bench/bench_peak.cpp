// The machine's arithmetic peak for the kernels' instruction mix: 4-lane float multiply then add
// (wasm SIMD has no fused multiply-add; natively the same 128-bit vectors, SSE), on 1 and on N
// threads at once. The training benchmarks give their GFLOP/s as a share of this figure.
// Prints one JSON line per thread count.
//   bench_peak [seconds=1] [threads=2]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;
typedef float v4 __attribute__((vector_size(16)));

// 12 independent multiply-add chains: enough to cover the latency of both instructions on the cores
// these machines have (a chain's next step needs the last one's result). 12 × 4 lanes × 2 flops per
// inner step.
constexpr int kChains = 12;
constexpr long kInner = 1 << 16;

float chains(long steps, float seed) {
  v4 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = v4{seed, seed + 1, seed + 2, seed + 3} * float(k + 1);
  // |a| < 1 and small b keep every value finite for any number of steps.
  const v4 a = v4{0.9999f, 0.9998f, 0.9997f, 0.9996f}, b = v4{1e-3f, 2e-3f, 3e-3f, 4e-3f};
  for (long s = 0; s < steps; ++s) {
    // Floats do not reassociate (no -ffast-math), so the compiler cannot shorten the chains.
    for (int k = 0; k < kChains; ++k) acc[k] = acc[k] * a + b;
  }
  float sum = 0;
  for (int k = 0; k < kChains; ++k) sum += acc[k][0] + acc[k][1] + acc[k][2] + acc[k][3];
  return sum;
}

// GFLOP/s of `threads` threads running chains at once for about `seconds`.
double gflops(int threads, double seconds) {
  std::atomic<long> done{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  std::vector<float> sink(static_cast<size_t>(threads), 0.0f);
  auto work = [&](int t) {
    while (!go.load()) std::this_thread::yield();
    const auto t0 = Clock::now();
    long steps = 0;
    float s = 0;
    while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
      s += chains(kInner, float(t));
      steps += kInner;
    }
    sink[size_t(t)] = s;
    done += steps;
  };
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  const auto t0 = Clock::now();
  go = true;
  work(0);
  for (auto& th : pool) th.join();
  const double el = std::chrono::duration<double>(Clock::now() - t0).count();
  float any = 0;
  for (float v : sink) any += v;
  if (!(any == any)) std::fprintf(stderr, "not finite\n");
  return double(done.load()) * kChains * 4 * 2 / el / 1e9;
}
}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  const int max_threads = argc > 2 ? std::atoi(argv[2]) : 2;
#ifdef __EMSCRIPTEN__
  const char* platform = "wasm-node";
#else
  const char* platform = "native";
#endif
  gflops(1, 0.2);  // warm up: the JIT's tiers, the clock
  for (int threads = 1; threads <= max_threads; ++threads) {
    // Best of 3: the peak is what the machine can do when nothing else takes a core.
    double best = 0;
    for (int r = 0; r < 3; ++r) best = std::max(best, gflops(threads, seconds));
    std::printf("{\"platform\": \"%s\", \"threads\": %d, \"peak_gflops\": %.2f}\n", platform, threads, best);
    std::fflush(stdout);
  }
}
