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

  // C[0:mr, 0:nr] (+)= Ap (kc, MR) · B (kc, NR): Ap packed and zero-padded; B rows `bs` floats
  // apart (NR when packed, ldb when read straight from a row-major B).
  static void micro_kernel(int kc, const float* Ap, const float* Bp, int bs, float* C, int ldc, int mr, int nr,
                           bool acc) {
    V c00 = {}, c01 = {}, c10 = {}, c11 = {}, c20 = {}, c21 = {}, c30 = {}, c31 = {}, c40 = {}, c41 = {}, c50 = {},
      c51 = {};
    for (int k = 0; k < kc; ++k, Ap += MR, Bp += bs) {
      V b0 = load(Bp), b1 = load(Bp + L), a;
      a = splat(Ap[0]); c00 += a * b0; c01 += a * b1;
      a = splat(Ap[1]); c10 += a * b0; c11 += a * b1;
      a = splat(Ap[2]); c20 += a * b0; c21 += a * b1;
      a = splat(Ap[3]); c30 += a * b0; c31 += a * b1;
      a = splat(Ap[4]); c40 += a * b0; c41 += a * b1;
      a = splat(Ap[5]); c50 += a * b0; c51 += a * b1;
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

  // Packs op(A)[i0:i0+mc, k0:k0+kc] into MR-row strips: strip s holds (kc, MR).
  static void pack_a(bool ta, const float* A, int lda, int i0, int mc, int k0, int kc, float* Ap) {
    for (int s = 0; s < mc; s += MR) {
      int mr = std::min(MR, mc - s);
      for (int k = 0; k < kc; ++k, Ap += MR) {
        for (int r = 0; r < mr; ++r) {
          int i = i0 + s + r, kk = k0 + k;
          Ap[r] = ta ? A[size_t(kk) * lda + i] : A[size_t(i) * lda + kk];
        }
        for (int r = mr; r < MR; ++r) Ap[r] = 0;
      }
    }
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
    // A row-major B is read in place, NR columns at a time; only a transposed B and the last partial
    // strip of columns are packed. Packed B for one depth panel is shared by all tasks; packed A is
    // per task.
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
        thread_local std::vector<float> apack;
        apack.resize(size_t(MC) * KC);
        pack_a(ta, A, lda, i0, mc, k0, kc, apack.data());
        for (int js = 0; js < nc; js += NR) {
          const int j = j0 + js;
          const bool direct = j < full;
          const float* b = direct ? B + size_t(k0) * ldb + j : Bp + size_t(j) * kc;
          for (int is = 0; is < mc; is += MR)
            micro_kernel(kc, apack.data() + size_t(is) * kc, b, direct ? ldb : NR, C + size_t(i0 + is) * ldc + j, ldc,
                         std::min(MR, mc - is), std::min(NR, nc - js), acc);
        }
      });
    }
  }
};

}  // namespace
}  // namespace dl
