// The core's GEMM (dl::gemm) against Eigen's matrix product on the products the presets' training
// steps run, one thread each, GFLOP/s. Same source natively (Eigen with the compiler's default SSE2,
// or with -mavx2 -mfma: bench_gemm_eigen_avx2; dl::gemm picks AVX2 + FMA at run time either way) and
// in wasm under node (-msimd128; Eigen 3.4 has no wasm SIMD path). Each pair is checked to agree.
// Prints one JSON line per shape. bench/gemm_eigen.sh runs it and writes docs/benchmarks.md.
//   bench_gemm_eigen [seconds per measurement = 0.5]
#include <Eigen/Core>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "core/kernels/gemm.h"
#include "core/kernels/pool.h"

namespace {

using Clock = std::chrono::steady_clock;
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Shape {
  const char* what;
  bool ta, tb;
  int M, N, K;
};

// Forward products (im2col patches · kernel), and a Dense layer's backward ones: the weight gradient
// Xᵀ·dY (ta) and the input gradient dY·Wᵀ (tb), at each preset's batch.
const Shape kShapes[] = {
    {"mlp b32: dense 784→512 forward", false, false, 32, 512, 784},
    {"mlp b32: its weight gradient", true, false, 784, 512, 32},
    {"mlp b32: its input gradient", false, true, 32, 784, 512},
    {"cnn-tiny b128: conv2d_1 forward", false, false, 128 * 24 * 24, 8, 72},
    {"cnn-tiny b128: conv2d_1 weight gradient", true, false, 72, 8, 128 * 24 * 24},
    {"cnn-5x5 b50: conv2d_1 forward", false, false, 50 * 20 * 20, 64, 800},
    {"cnn-5x5 b50: dense 6400→128 forward", false, false, 50, 128, 6400},
    {"cnn-vgg b256: conv2d_3 forward", false, false, 256 * 14 * 14, 64, 576},
};

double seconds_per_call(const std::function<void()>& f, double budget) {
  f();  // warm: packing buffers, caches
  int calls = 0;
  const auto t0 = Clock::now();
  double t = 0;
  while (t < budget || calls < 3) {
    f();
    ++calls;
    t = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  return t / calls;
}

}  // namespace

int main(int argc, char** argv) {
  const double budget = argc > 1 ? std::atof(argv[1]) : 0.5;
  dl::kernel_pool().set_workers(0);
#ifdef __EMSCRIPTEN__
  const char* platform = "wasm-node";
#elif defined(__AVX2__)
  const char* platform = "native, Eigen -mavx2 -mfma";
#else
  const char* platform = "native, Eigen default (SSE2)";
#endif
  uint32_t seed = 12345;
  auto rnd = [&] { return float((seed = seed * 1664525u + 1013904223u) >> 8) / float(1u << 24) - 0.5f; };
  for (const Shape& s : kShapes) {
    // As stored: A is (M,K), or (K,M) when ta; B is (K,N), or (N,K) when tb.
    std::vector<float> A(size_t(s.M) * s.K), B(size_t(s.K) * s.N), C1(size_t(s.M) * s.N), C2(C1.size());
    for (float& v : A) v = rnd();
    for (float& v : B) v = rnd();
    const int lda = s.ta ? s.M : s.K, ldb = s.tb ? s.K : s.N;
    const double own = seconds_per_call(
        [&] { dl::gemm(s.ta, s.tb, s.M, s.N, s.K, A.data(), lda, B.data(), ldb, C1.data(), s.N, false); }, budget);
    Eigen::Map<const RowMat> a(A.data(), s.ta ? s.K : s.M, s.ta ? s.M : s.K);
    Eigen::Map<const RowMat> b(B.data(), s.tb ? s.N : s.K, s.tb ? s.K : s.N);
    Eigen::Map<RowMat> c(C2.data(), s.M, s.N);
    const double eigen = seconds_per_call(
        [&] {
          if (s.ta && s.tb) c.noalias() = a.transpose() * b.transpose();
          else if (s.ta) c.noalias() = a.transpose() * b;
          else if (s.tb) c.noalias() = a * b.transpose();
          else c.noalias() = a * b;
        },
        budget);
    double worst = 0, scale = 0;
    for (size_t i = 0; i < C1.size(); ++i) {
      worst = std::max(worst, double(std::fabs(C1[i] - C2[i])));
      scale = std::max(scale, double(std::fabs(C2[i])));
    }
    if (!(worst <= 1e-4 * std::max(1.0, scale))) {
      std::fprintf(stderr, "%s: the two products differ by %g (largest value %g)\n", s.what, worst, scale);
      return 1;
    }
    const double flop = 2.0 * s.M * s.N * s.K;
    std::printf("{\"platform\":\"%s\",\"shape\":\"%s\",\"M\":%d,\"N\":%d,\"K\":%d,\"own_gflops\":%.3f,\"eigen_gflops\":%.3f}\n",
                platform, s.what, s.M, s.N, s.K, flop / own / 1e9, flop / eigen / 1e9);
    std::fflush(stdout);
  }
  return 0;
}
