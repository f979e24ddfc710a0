// The tiled GEMM, as a template over the SIMD vector type, included by gemm.cpp (4 lanes: SSE
// natively, wasm SIMD128 in the browser) and by gemm_avx2.cpp (8 lanes, compiled with -mavx2 -mfma,
// chosen at run time on CPUs that have them). Everything here has internal linkage on purpose:
// each including file gets its own copy compiled for its own instruction set.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../common.h"
#include "gemm.h"
#include "pool.h"

namespace dl {
namespace {

template <class V>
struct Tiled {
  static constexpr int L = int(sizeof(V) / sizeof(float));  // lanes
  // The register tile: MR rows of 2 vectors. Natively 6 x 2 (12 accumulators, 2 rows of B and the
  // broadcast of A fill 15 of the 16 vector registers). In wasm 4 x 2: V8 spilled the 6-row tile, and
  // 4 rows trained mlp 29% faster and cnn-tiny 7% (bench_train under node, 1 thread; 5 x 2, 3 x 3,
  // 4 x 3 and 2 x 4 were slower). Any shape gives the same bits: each element of C sums its
  // products in k order.
#ifdef __wasm__
  static constexpr int MR = 4;
#else
  static constexpr int MR = 6;
#endif
  static_assert(MR == 4 || MR == 6, "micro_kernel has rows for these two");
  static constexpr int NR = 2 * L;
  static constexpr int KC = kGemmDepthPanel;                 // depth of a panel (gemm.h)
  static constexpr int MC = 8 * MR;                          // rows per task
  static constexpr int NC = 128;                             // columns per task (multiple of NR)

  static V load(const float* p) { V r; std::memcpy(&r, p, sizeof r); return r; }
  static void store(float* p, V v) { std::memcpy(p, &v, sizeof v); }
  static V splat(float x) {  // an initializer list: one load32_splat in wasm, one broadcast natively
    if constexpr (L == 4) return V{x, x, x, x};
    else return V{x, x, x, x, x, x, x, x};
  }

  // C[0:mr, 0:nr] (+)= A (mr, kc) · B (kc, NR). A is read in place: element (r, k) at A[r·ars + k·aks]
  // (rows past mr repeat the last valid row, so nothing is read out of bounds). B rows are `bs`
  // floats apart (NR when packed, ldb when read straight from a row-major B).
  static void micro_kernel(int kc, const float* A, int ars, int aks, const float* Bp, int bs, float* C, int ldc, int mr,
                           int nr, bool acc) {
    const float* a0 = A;
    const float* a1 = A + size_t(std::min(1, mr - 1)) * ars;
    const float* a2 = A + size_t(std::min(2, mr - 1)) * ars;
    const float* a3 = A + size_t(std::min(3, mr - 1)) * ars;
    const float* a4 = A + size_t(std::min(4, mr - 1)) * ars;
    const float* a5 = A + size_t(std::min(5, mr - 1)) * ars;
    V c00 = {}, c01 = {}, c10 = {}, c11 = {}, c20 = {}, c21 = {}, c30 = {}, c31 = {}, c40 = {}, c41 = {}, c50 = {},
      c51 = {};
    for (size_t k = 0, ka = 0; k < size_t(kc); ++k, ka += aks, Bp += bs) {
      V b0 = load(Bp), b1 = load(Bp + L), a;
      a = splat(a0[ka]); c00 += a * b0; c01 += a * b1;
      a = splat(a1[ka]); c10 += a * b0; c11 += a * b1;
      a = splat(a2[ka]); c20 += a * b0; c21 += a * b1;
      a = splat(a3[ka]); c30 += a * b0; c31 += a * b1;
      if constexpr (MR == 6) {
        a = splat(a4[ka]); c40 += a * b0; c41 += a * b1;
        a = splat(a5[ka]); c50 += a * b0; c51 += a * b1;
      }
    }
    V rows[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    if (mr == MR && nr == NR) {
      for (int r = 0; r < MR; ++r) {
        float* c = C + size_t(r) * ldc;
        if (acc) { rows[r][0] += load(c); rows[r][1] += load(c + L); }
        store(c, rows[r][0]);
        store(c + L, rows[r][1]);
      }
      return;
    }
    float tile[MR][NR];
    for (int r = 0; r < MR; ++r) { store(tile[r], rows[r][0]); store(tile[r] + L, rows[r][1]); }
    for (int r = 0; r < mr; ++r)
      for (int j = 0; j < nr; ++j) C[size_t(r) * ldc + j] = acc ? C[size_t(r) * ldc + j] + tile[r][j] : tile[r][j];
  }

  // The tile of a product of at most L columns (cnn-tiny's 8-channel convolutions under AVX2): 2·MR
  // rows of one vector, so that no half of a 2-vector strip is computed for nothing. The same sums
  // in the same order as micro_kernel's, so the same bits.
  static constexpr int MR1 = 2 * MR;
  static void micro_kernel_1v(int kc, const float* A, int ars, int aks, const float* Bp, int bs, float* C, int ldc,
                              int mr, int nr, bool acc) {
    const float* a[MR1];
    for (int r = 0; r < MR1; ++r) a[r] = A + size_t(std::min(r, mr - 1)) * ars;
    V c[MR1] = {};
    for (size_t k = 0, ka = 0; k < size_t(kc); ++k, ka += aks, Bp += bs) {
      const V b = load(Bp);
#pragma GCC unroll 12
      for (int r = 0; r < MR1; ++r) c[r] += splat(a[r][ka]) * b;
    }
    if (mr == MR1 && nr == L) {
      for (int r = 0; r < MR1; ++r) {
        float* p = C + size_t(r) * ldc;
        if (acc) c[r] += load(p);
        store(p, c[r]);
      }
      return;
    }
    float tile[MR1][L];
    for (int r = 0; r < MR1; ++r) store(tile[r], c[r]);
    for (int r = 0; r < mr; ++r)
      for (int j = 0; j < nr; ++j) C[size_t(r) * ldc + j] = acc ? C[size_t(r) * ldc + j] + tile[r][j] : tile[r][j];
  }

  // C[0, j0:j1] (+)= a (1, K) · B[:, j0:j1] for at most kRowColumns columns, B row-major and read in
  // place: a product of one row (the draw pad's Dense layers). B's rows are read in order, the
  // prefetcher's best case when the weights come from memory, as they do after the app has drawn a
  // frame (mlp's 1.6 MB: 0.06 ms from the cache, 0.2 ms from memory through micro_kernel's strips of
  // columns). Each element still sums a panel's products in k order from zero and adds the panel to
  // C: the bits of micro_kernel.
  static constexpr int kRowColumns = 1024;
  static void gemv(int K, const float* a, int aks, const float* B, int ldb, float* C, int j0, int j1, bool acc) {
    V sum[kRowColumns / L];
    const int n = j1 - j0, whole = n / L, nv = (n + L - 1) / L;
    const float* b0 = B + j0;
    auto part = [&](const float* b) {  // the last, partial vector of a row of B: zeros past j1
      V t = {};
      std::memcpy(&t, b + whole * L, size_t(n - whole * L) * sizeof(float));
      return t;
    };
    for (int k0 = 0; k0 < K; k0 += KC) {
      const int ke = k0 + std::min(KC, K - k0);
      for (int v = 0; v < nv; ++v) sum[v] = V{};
      // Four rows of B for each load and store of the sums (in wasm the loop is otherwise bound by them).
      int k = k0;
      for (; k + 4 <= ke; k += 4) {
        const V x0 = splat(a[size_t(k) * aks]), x1 = splat(a[size_t(k + 1) * aks]);
        const V x2 = splat(a[size_t(k + 2) * aks]), x3 = splat(a[size_t(k + 3) * aks]);
        const float* p0 = b0 + size_t(k) * ldb;
        const float *p1 = p0 + ldb, *p2 = p1 + ldb, *p3 = p2 + ldb;
        for (int v = 0; v < whole; ++v) {
          V t = sum[v];
          t += x0 * load(p0 + v * L);
          t += x1 * load(p1 + v * L);
          t += x2 * load(p2 + v * L);
          t += x3 * load(p3 + v * L);
          sum[v] = t;
        }
        if (whole < nv) {
          V t = sum[whole];
          t += x0 * part(p0);
          t += x1 * part(p1);
          t += x2 * part(p2);
          t += x3 * part(p3);
          sum[whole] = t;
        }
      }
      for (; k < ke; ++k) {
        const V x = splat(a[size_t(k) * aks]);
        const float* p = b0 + size_t(k) * ldb;
        for (int v = 0; v < whole; ++v) sum[v] += x * load(p + v * L);
        if (whole < nv) sum[whole] += x * part(p);
      }
      float* c = C + j0;
      const bool add = acc || k0 > 0;
      for (int v = 0; v < whole; ++v) store(c + v * L, add ? sum[v] + load(c + v * L) : sum[v]);
      if (whole < nv) {
        float tail[L];
        store(tail, sum[whole]);
        for (int j = whole * L; j < n; ++j) c[j] = add ? tail[j - whole * L] + c[j] : tail[j - whole * L];
      }
    }
  }

  // Width of the column strips of a product with N columns: one vector when that holds them all.
  static constexpr int strip(int N) { return N <= L ? L : NR; }

  // Floats of the copy of op(B) that gemm() packs (gemm_packed_floats); 0 when B is read in place.
  static size_t packed_floats(bool tb, int N, int K) {
    const int w = strip(N);
    return tb || N % w ? size_t(K) * size_t((N + w - 1) / w * w) : 0;
  }

  // Packs op(B)[k0:k0+kc, j0:j0+nc] into w-column strips: strip s holds (kc, w).
  static void pack_b(bool tb, const float* B, int ldb, int k0, int kc, int j0, int nc, int w, float* Bp) {
    for (int s = 0; s < nc; s += w) {
      int nr = std::min(w, nc - s);
      for (int k = 0; k < kc; ++k, Bp += w) {
        int kk = k0 + k;
        for (int j = 0; j < nr; ++j) {
          int jj = j0 + s + j;
          Bp[j] = tb ? B[size_t(jj) * ldb + kk] : B[size_t(kk) * ldb + jj];
        }
        for (int j = nr; j < w; ++j) Bp[j] = 0;
      }
    }
  }

  static void gemm(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                   int ldc, bool accumulate) {
    // Below 2^17 multiply-adds (about 10 µs) a run's lock and wake-up cost about what a worker would
    // save: the caller does it alone (cnn-tiny's draw-pad pass is a dozen such products). The same
    // panels in the same order either way (below), so the same bits.
    if (kernel_pool().splits() && uint64_t(M) * uint64_t(N) * uint64_t(K) < (uint64_t(1) << 17)) {
      ThreadPool::InlineScope alone;
      gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
      return;
    }
    const int mtiles = (M + MC - 1) / MC, ntiles = (N + NC - 1) / NC;
    if (M == 1 && !tb) {
      // One row: B streamed in order, on the caller alone. Waking a worker to share mlp's 0.1 ms made
      // it slower (0.16-0.20 ms from memory under node).
      for (int j0 = 0; j0 < N; j0 += kRowColumns)
        gemv(K, A, ta ? lda : 1, B, ldb, C, j0, std::min(N, j0 + kRowColumns), accumulate);
      return;
    }
    const int W = strip(N), NP = (N + W - 1) / W * W;
    // A is read in place (its rows, or columns when transposed, are 6 short streams per tile); a
    // row-major B too, W columns at a time. Only a transposed B and the last partial strip of
    // columns are packed, every depth panel up front (panel k0 at Bp + k0·NP), shared by all tasks.
    const int full = tb ? 0 : N / W * W;  // columns [0, full) are read in place
    static thread_local std::vector<float> bpack;
    float* Bp = nullptr;
    if (full < N) {
      // Grown, never resized down: a resize up from a smaller call's size would zero the difference
      // on every call (measured at 1.7% of cnn-tiny's training step natively).
      grow_buffer(bpack, size_t(K) * NP);
      Bp = bpack.data();
      const int panels = (K + KC - 1) / KC, chunks = (N - full + NC - 1) / NC;
      auto pack = [&](int t) {
        const int k0 = (t / chunks) * KC, kc = std::min(KC, K - k0), j0 = full + (t % chunks) * NC;
        pack_b(tb, B, ldb, k0, kc, j0, std::min(NC, N - j0), W, Bp + size_t(k0) * NP + size_t(j0) * kc);
      };
      if (uint64_t(K) * uint64_t(N - full) < (uint64_t(1) << 16)) {  // a few microseconds: not worth waking a worker
        for (int t = 0; t < panels * chunks; ++t) pack(t);
      } else {
        kernel_pool().run(panels * chunks, pack);
      }
    }
    const int ars = ta ? 1 : lda, aks = ta ? lda : 1;  // strides of op(A)'s rows and depth
    // Block t of the product through the depth panels in [kb, ke), written to `out` (row stride ldo):
    // C itself, or a depth panel's own slice of the scratch below. The first panel adds to what `out`
    // holds when `add` is set, the others always do.
    auto block = [&](int t, int kb, int ke, float* out, int ldo, bool add) {
      const int i0 = (t / ntiles) * MC, j0 = (t % ntiles) * NC;
      const int mc = std::min(MC, M - i0), nc = std::min(NC, N - j0);
      for (int k0 = kb; k0 < ke; k0 += KC) {
        const int kc = std::min(KC, K - k0);
        const bool acc = add || k0 > kb;
        for (int js = 0; js < nc; js += W) {
          const int j = j0 + js;
          const bool direct = j < full;
          const float* b = direct ? B + size_t(k0) * ldb + j : Bp + size_t(k0) * NP + size_t(j) * kc;
          const float* a = A + size_t(k0) * aks;
          if (W == L)
            for (int is = 0; is < mc; is += MR1)
              micro_kernel_1v(kc, a + size_t(i0 + is) * ars, ars, aks, b, direct ? ldb : W,
                              out + size_t(i0 + is) * ldo + j, ldo, std::min(MR1, mc - is), nc - js, acc);
          else
            for (int is = 0; is < mc; is += MR)
              micro_kernel(kc, a + size_t(i0 + is) * ars, ars, aks, b, direct ? ldb : W,
                           out + size_t(i0 + is) * ldo + j, ldo, std::min(MR, mc - is), std::min(NR, nc - js), acc);
        }
      }
    };
    const int blocks = mtiles * ntiles, panels = (K + KC - 1) / KC;
    const uint64_t work = uint64_t(M) * uint64_t(N) * uint64_t(K);
    if (kernel_pool().splits() && blocks < 4 * (kernel_pool().workers() + 1) && panels > 1 &&
        work >= (uint64_t(1) << 20)) {
      // Few blocks and many panels (a convolution's weight gradient: 72x8 over 73,728 positions is 2
      // blocks and 288 panels): split the depth instead. Each task makes one panel's product of one
      // block from zero in a scratch slice; then each element of C adds the panels' products in k
      // order, which is exactly what the loops below do, so the bits are the same. A window of panels
      // at a time bounds the scratch (kGemmSplitFloats). Below 2^20 multiply-adds (tens of microseconds)
      // waking a worker costs about what it saves.
      const size_t mn = size_t(M) * size_t(N);
      const int window = int(std::max<size_t>(1, std::min<size_t>(size_t(panels), kGemmSplitFloats / mn)));
      static thread_local std::vector<float> scratch;
      grow_buffer(scratch, size_t(window) * mn);
      float* S = scratch.data();
      for (int p0 = 0; p0 < panels; p0 += window) {
        const int np = std::min(window, panels - p0);
        kernel_pool().run(np * blocks, [&](int t) {
          const int q = t / blocks, k0 = (p0 + q) * KC;
          block(t % blocks, k0, std::min(K, k0 + KC), S + size_t(q) * mn, N, false);
        });
        parallel_ranges(size_t(M), size_t(np) * mn, [&](size_t r0, size_t r1) {
          for (size_t i = r0; i < r1; ++i) {
            float* __restrict c = C + i * size_t(ldc);
            for (int q = 0; q < np; ++q) {
              const float* __restrict s = S + size_t(q) * mn + i * size_t(N);
              if (p0 + q == 0 && !accumulate) std::memcpy(c, s, size_t(N) * sizeof(float));
              else for (int j = 0; j < N; ++j) c[j] += s[j];
            }
          }
        });
      }
      return;
    }
    // Either way every element of C sums the same panels in the same order: the results are identical.
    // Multiply-adds of one depth panel: in 64 bits (a batch of large Dense outputs passes 2^32 in wasm32's size_t).
    const uint64_t panel_work = uint64_t(M) * uint64_t(N) * uint64_t(std::min(K, KC));
    if (kernel_pool().splits() && (mtiles == 1 || panel_work < (uint64_t(1) << 22))) {
      // Little work per panel (a convolution's weight gradient: 72x8 over 73,728 positions, 288 panels):
      // each task takes its block through the whole depth, so the GEMM wakes the workers once, not once
      // per panel for a few microseconds of work each (which would make 2 threads slower than 1 on cnn-tiny).
      // A single row of blocks (mlp's first layer at batch 32) shares no panel of B between blocks.
      // Working alone (no workers, or a caller marked inline) the panel-outer order below is better: it reads
      // op(A) once, not once per block.
      kernel_pool().run(blocks, [&](int t) { block(t, 0, K, C, ldc, accumulate); });
    } else {
      // Panel by panel: the blocks of one panel share its rows of B while they are in cache. Split over
      // workers, one run takes a group of panels of at least 2^24 multiply-adds (2-4 panels for the
      // weight gradients of cnn-vgg's last convolutions), each block through them in k order.
      const int group = kernel_pool().splits() ? int((panel_work + (uint64_t(1) << 24) - 1) / panel_work) : 1;
      for (int kb = 0; kb < K; kb += group * KC)
        kernel_pool().run(blocks, [&](int t) { block(t, kb, std::min(K, kb + group * KC), C, ldc, accumulate || kb > 0); });
    }
  }
};

}  // namespace
}  // namespace dl
