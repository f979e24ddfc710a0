// The tiled GEMM, as a template over the SIMD vector type, included by gemm.cpp (4 lanes: SSE
// natively, wasm SIMD128 in the browser) and by gemm_avx2.cpp (8 lanes, compiled with -mavx2 -mfma,
// chosen at run time on CPUs that have them). Everything here has internal linkage on purpose:
// each including file gets its own copy compiled for its own instruction set.
#pragma once
#include <algorithm>
#include <cstring>
#include <vector>

#include "pool.h"

namespace dl {
namespace {

template <class V>
struct Tiled {
  static constexpr int L = int(sizeof(V) / sizeof(float));  // lanes
  static constexpr int MR = 6, NR = 2 * L;                   // register tile: 12 accumulators
  static constexpr int KC = 256;                             // depth of a packed panel
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
      a = splat(a4[ka]); c40 += a * b0; c41 += a * b1;
      a = splat(a5[ka]); c50 += a * b0; c51 += a * b1;
    }
    V rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
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

  // Packs op(B)[k0:k0+kc, j0:j0+nc] into NR-column strips: strip s holds (kc, NR).
  static void pack_b(bool tb, const float* B, int ldb, int k0, int kc, int j0, int nc, float* Bp) {
    for (int s = 0; s < nc; s += NR) {
      int nr = std::min(NR, nc - s);
      for (int k = 0; k < kc; ++k, Bp += NR) {
        int kk = k0 + k;
        for (int j = 0; j < nr; ++j) {
          int jj = j0 + s + j;
          Bp[j] = tb ? B[size_t(jj) * ldb + kk] : B[size_t(kk) * ldb + jj];
        }
        for (int j = nr; j < NR; ++j) Bp[j] = 0;
      }
    }
  }

  static void gemm(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                   int ldc, bool accumulate) {
    const int mtiles = (M + MC - 1) / MC, ntiles = (N + NC - 1) / NC;
    const int NP = (N + NR - 1) / NR * NR;
    // A is read in place (its rows, or columns when transposed, are 6 short streams per tile); a
    // row-major B too, NR columns at a time. Only a transposed B and the last partial strip of
    // columns are packed; packed B for one depth panel is shared by all tasks.
    const int full = tb ? 0 : N / NR * NR;  // columns [0, full) are read in place
    static thread_local std::vector<float> bpack;
    bpack.resize(size_t(KC) * NP);
    float* Bp = bpack.data();
    for (int k0 = 0; k0 < K; k0 += KC) {
      const int kc = std::min(KC, K - k0);
      const bool acc = accumulate || k0 > 0;
      if (full < N)
        kernel_pool().run((N - full + NC - 1) / NC, [&](int t) {
          int j0 = full + t * NC;
          pack_b(tb, B, ldb, k0, kc, j0, std::min(NC, N - j0), Bp + size_t(j0) * kc);
        });
      kernel_pool().run(mtiles * ntiles, [&](int t) {
        const int i0 = (t / ntiles) * MC, j0 = (t % ntiles) * NC;
        const int mc = std::min(MC, M - i0), nc = std::min(NC, N - j0);
        const int ars = ta ? 1 : lda, aks = ta ? lda : 1;  // strides of op(A)'s rows and depth
        for (int js = 0; js < nc; js += NR) {
          const int j = j0 + js;
          const bool direct = j < full;
          const float* b = direct ? B + size_t(k0) * ldb + j : Bp + size_t(j) * kc;
          for (int is = 0; is < mc; is += MR)
            micro_kernel(kc, A + size_t(i0 + is) * ars + size_t(k0) * aks, ars, aks, b, direct ? ldb : NR,
                         C + size_t(i0 + is) * ldc + j, ldc, std::min(MR, mc - is), std::min(NR, nc - js), acc);
        }
      });
    }
  }
};

}  // namespace
}  // namespace dl
